"""The home page is rendered once for every visitor until a calendar or a room changes."""
from __future__ import annotations

from app.demo.services import seed_demo
from app.extensions import db
from app.facilities.models import FacilitySpace
from app.facilities.services import update_space
from app.calendars.models import Calendar
from tests.factories import make_employee, statements_during


def test_a_second_visitor_gets_the_home_page_without_a_database_query(app, client):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    db.session.remove()
    first = client.get("/").get_data(as_text=True)
    assert "Program Room" in first and "Library Events" in first
    pages: list[str] = []
    assert statements_during(lambda: pages.append(app.test_client().get("/").get_data(as_text=True))) == 0
    assert "Program Room" in pages[0] and "Library Events" in pages[0]


def test_a_renamed_room_or_a_calendar_made_private_shows_at_once(app, client):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    assert "Program Room" in client.get("/").get_data(as_text=True)
    room = db.session.scalars(db.select(FacilitySpace).where(FacilitySpace.name == "Program Room")).one()
    update_space(room, {"name": "Story Time Room", "floor": room.floor, "capacity": room.capacity,
                        "accessibility_notes": room.accessibility_notes}, make_employee("Facilities Editor"))
    rooms = client.get("/").get_data(as_text=True).split('id="rooms-heading"')[1]  # events may name the room
    assert "Story Time Room" in rooms and "Program Room" not in rooms

    calendar = db.session.scalars(db.select(Calendar).where(Calendar.name == "Library Events")).one()
    calendar.is_public = False
    db.session.commit()
    assert "Library Events" not in client.get("/").get_data(as_text=True)


def test_the_home_page_still_renders_when_redis_is_down(app, client):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens (the fixture restores it)
    response = client.get("/")
    assert response.status_code == 200 and "Program Room" in response.get_data(as_text=True)


def test_made_up_query_parameters_get_the_stored_page_and_store_nothing_new(app, client):
    from app.jobs.queue import get_redis

    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    redis = get_redis()
    for path in ("/", "/calendars/library/", "/calendars/library/month", "/reservations/library/study-room-a/"):
        client.get(path)
        stored = set(redis.scan_iter("mygov:page:*"))
        for made_up in ("?x=1", "?utm_source=mail&x=2", "?x=" + "a" * 500, "?Q=story"):
            assert client.get(path + made_up).status_code == 200
        assert set(redis.scan_iter("mygov:page:*")) == stored, path
    client.get("/calendars/library/?q=story")  # a parameter the page reads is a page of its own
    assert "Toddler Story Time" in client.get("/calendars/library/?q=story&x=1").get_data(as_text=True)
    assert len(set(redis.scan_iter("mygov:page:*"))) == len(stored) + 1


def test_an_event_published_today_is_on_the_home_page_at_once(app, client):
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from app.calendars.models import CalendarEvent

    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    assert "Pop-up Book Sale" not in client.get("/").get_data(as_text=True)
    zone = ZoneInfo("America/Chicago")
    library = db.session.scalars(db.select(Calendar).where(Calendar.slug == "library")).one()
    start = datetime.combine(datetime.now(zone).date() + timedelta(days=1), time(10), zone)
    db.session.add(CalendarEvent(calendar=library, uid="pop-up-sale", title="Pop-up Book Sale", description="",
                                 time_zone="America/Chicago", status="published", start_at=start,
                                 end_at=start + timedelta(hours=2)))
    db.session.commit()
    assert "Pop-up Book Sale" in client.get("/").get_data(as_text=True)
