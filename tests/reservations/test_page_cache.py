"""Public pages served from the page cache: the same page for everyone, a change shown at once,
each visitor's own CSRF token, never longer than the Exchange answer a room page shows."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from app.calendars.forms import CalendarInput
from app.calendars.models import Calendar
from app.calendars.services import publish_event, save_calendar, save_event
from app.extensions import db
from app.facilities.services import archive_space
from app.jobs.queue import get_redis
from app.reservations.models import Reservation
from tests.calendars.test_publishing import _input
from tests.factories import make_employee, statements_during
from tests.reservations.conftest import IsolatedClient
from tests.reservations.helpers import booking_form, make_room, next_open_day, page_text, space_url, submit

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _visitor(app) -> IsolatedClient:
    return IsolatedClient(app, app.response_class, use_cookies=True)


def test_a_calendar_page_is_rendered_once_and_a_published_event_shows_at_once(app):
    calendar = Calendar(name="Parks", slug="parks", time_zone="America/Chicago")
    db.session.add(calendar)
    db.session.commit()
    first, second = _visitor(app), _visitor(app)
    cold = statements_during(lambda: first.get("/calendars/parks/"))
    warm = statements_during(lambda: second.get("/calendars/parks/"))
    assert warm < cold  # the events were not read again
    assert "Park cleanup" not in second.get("/calendars/parks/").get_data(as_text=True)

    editor = make_employee("Cal Editor")
    publish_event(save_event(calendar, None, _input(title="Park cleanup", start_date=str(next_open_day())), editor),
                  editor)
    assert "Park cleanup" in second.get("/calendars/parks/").get_data(as_text=True)


def test_every_visitor_gets_their_own_working_token_on_a_cached_room_page(app, without_rate_limit):
    space = make_room()
    ann, bo = _visitor(app), _visitor(app)
    tokens = [TOKEN.search(client.get(space_url(space)).get_data(as_text=True)).group(1) for client in (ann, bo)]
    assert tokens[0] != tokens[1]
    day = next_open_day()
    for client, token, hour in ((ann, tokens[0], 10), (bo, tokens[1], 13)):
        answer = client.post(space_url(space), data={**booking_form(day, f"{hour}:00", f"{hour + 1}:00"),
                                                     "csrf_token": token})
        assert answer.status_code == 303
    assert db.session.scalar(select(db.func.count()).select_from(Reservation)) == 2


def test_a_booking_shows_on_the_cached_room_page_at_once(app, client):
    space = make_room()
    day = next_open_day()
    page = f"{space_url(space)}?date={day}"
    before = page_text(client.get(page, headers={"HX-Request": "true"}))
    assert "9:00 AM to 8:00 PM" in before
    submit(_visitor(app), space, booking_form(day, "10:00", "11:00"))
    after = page_text(client.get(page, headers={"HX-Request": "true"}))
    assert "9:00 AM to 10:00 AM" in after and "11:00 AM to 8:00 PM" in after




def test_a_room_page_is_kept_no_longer_than_the_free_busy_it_shows(app, client):
    space = make_room()
    app.config.update(FREEBUSY_CACHE_SECONDS="20", PUBLIC_PAGE_CACHE_SECONDS="600")
    client.get(space_url(space))
    redis = get_redis()
    pages = [redis.ttl(key) for key in redis.scan_iter("mygov:page:*")]
    freebusy = [redis.ttl(key) for key in redis.scan_iter("mygov:freebusy:*")]
    assert pages and freebusy and max(pages) <= min(freebusy) <= 20


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(app):
    space = make_room()
    visitor = _visitor(app)
    visitor.get(space_url(space))
    with visitor.session_transaction() as session:
        session["_flashes"] = [("success", "Your reservation is cancelled.")]
    assert "Your reservation is cancelled." in visitor.get(space_url(space)).get_data(as_text=True)


def test_with_redis_down_pages_are_rendered_every_time(app, client):
    db.session.add(Calendar(name="Parks", slug="parks", time_zone="America/Chicago"))
    db.session.commit()
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens
    response = client.get("/calendars/parks/")
    assert response.status_code == 200 and "Parks" in response.get_data(as_text=True)


def test_a_cached_page_asks_the_database_nothing(app):
    db.session.add(Calendar(name="Parks", slug="parks", time_zone="America/Chicago"))
    db.session.commit()
    space = make_room()
    for page in ("/calendars/parks/", "/calendars/parks.ics", space_url(space)):
        _visitor(app).get(page)
        assert statements_during(lambda: _visitor(app).get(page)) == 0, page


def test_an_address_taken_over_by_another_calendar_shows_that_calendar_and_its_changes(app, client):
    editor = make_employee("Cal Editor")
    old = Calendar(name="Parks", slug="parks", time_zone="America/Chicago")
    db.session.add(old)
    db.session.commit()
    assert client.get("/calendars/parks/").status_code == 200

    save_calendar(old, CalendarInput(name="Trails", slug="trails", time_zone="America/Chicago"), editor)
    assert client.get("/calendars/parks/").status_code == 404
    new = save_calendar(None, CalendarInput(name="Parks and Recreation", slug="parks", time_zone="America/Chicago"),
                        editor)
    assert "Parks and Recreation" in client.get("/calendars/parks/").get_data(as_text=True)
    publish_event(save_event(new, None, _input(title="Pool opening", start_date=str(next_open_day())), editor),
                  editor)
    assert "Pool opening" in client.get("/calendars/parks/").get_data(as_text=True)
    assert "Pool opening" in client.get("/calendars/parks.ics").get_data(as_text=True)

    save_calendar(new, CalendarInput(name="Parks and Recreation", slug="parks", is_public=False,
                                     time_zone="America/Chicago"), editor)
    assert client.get("/calendars/parks/").status_code == 404
    assert "Parks and Recreation" not in client.get("/calendars/all/").get_data(as_text=True)


def test_an_address_taken_over_by_another_room_shows_that_rooms_bookings(app, client):
    old = make_room()
    day = next_open_day()
    page = f"{space_url(old)}?date={day}"
    assert "9:00 AM to 8:00 PM" in page_text(client.get(page, headers={"HX-Request": "true"}))
    old.slug = "old-study-room"
    db.session.commit()
    new = make_room("rm_LIB_ProgramRoom@auburnal.gov")  # takes the address study-room-a
    assert "9:00 AM to 8:00 PM" in page_text(client.get(page, headers={"HX-Request": "true"}))
    submit(_visitor(app), new, booking_form(day, "10:00", "12:00"))
    after = page_text(client.get(page, headers={"HX-Request": "true"}))
    assert "9:00 AM to 10:00 AM" in after and "12:00 PM to 8:00 PM" in after


def test_a_room_given_a_longer_lead_time_or_archived_changes_its_page_at_once(app, client):
    space = make_room(lead_time_hours=2)
    page = f"{space_url(space)}?date={next_open_day(after_days=1)}"
    assert "9:00 AM to" in page_text(client.get(page, headers={"HX-Request": "true"}))

    space.reservation_config.lead_time_hours = 24 * 14  # two weeks' notice: that day is too soon now
    db.session.commit()
    assert "no free time is left that day" in page_text(client.get(page, headers={"HX-Request": "true"}))

    archive_space(space, make_employee("Facilities Editor"))
    assert client.get(space_url(space)).status_code == 404


def test_a_cached_calendar_page_sets_no_cookie(app, client):
    db.session.add(Calendar(name="Parks", slug="parks", time_zone="America/Chicago"))
    db.session.commit()
    for _ in range(2):  # rendered, then from the cache
        response = client.get("/calendars/parks/")
        assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_visitors_arriving_together_after_a_change_share_one_rendering(app, exchange):
    page = space_url(make_room())
    exchange.control.set_faults(throttle_share=0.0, latency_ms=300)  # Exchange answering slowly
    exchange.control.reset_counters()
    start = threading.Barrier(4)

    def visit() -> str:
        start.wait()
        response = _visitor(app).get(page)
        assert response.status_code == 200
        return page_text(response)

    with ThreadPoolExecutor(4) as pool:
        pages = list(pool.map(lambda _: visit(), range(4)))
    exchange.control.clear_faults()
    assert len(set(pages)) == 1  # the same page for all (tokens live in attributes, not in the text)
    asked = exchange.control.counters()["requests"]
    assert sum(n for route, n in asked.items() if route.endswith("/calendar/getSchedule")) == 1
