"""`flask mygov seed-demo` loads the demo city once; running it again changes nothing."""
from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.access.models import Role
from app.calendars.models import Calendar, CalendarEvent
from app.cli import mygov_cli
from app.demo.services import DEMO_CITY, DEVTENANT_SEED
from app.extensions import db
from app.facilities.models import Facility, FacilitySpace
from app.people.models import Employee


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _every_row() -> dict[str, list[tuple[Any, ...]]]:
    """All rows of all tables, so a second run that rewrites any column shows up."""
    db.session.expire_all()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        snapshot[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return snapshot


def test_the_first_run_loads_the_demo_fixture_and_the_second_changes_nothing(app):
    city = json.loads(DEMO_CITY.read_text())
    tenant_users = json.loads(DEVTENANT_SEED.read_text())["users"]
    runner = app.test_cli_runner()

    first = runner.invoke(mygov_cli, ["seed-demo"])
    assert first.exit_code == 0, first.output
    assert _count(Facility) == len(city["facilities"]) > 0
    assert _count(FacilitySpace) == sum(len(f["spaces"]) for f in city["facilities"]) > 0
    assert _count(Calendar) == len(city["calendars"]) > 0
    assert _count(CalendarEvent) == sum(len(c["events"]) for c in city["calendars"]) > 0
    for facility in db.session.scalars(select(Facility)):
        expected = next(f for f in city["facilities"] if f["slug"] == facility.slug)
        assert {s.slug for s in facility.spaces} == {s["slug"] for s in expected["spaces"]}
    for calendar in db.session.scalars(select(Calendar)):
        expected = next(c for c in city["calendars"] if c["slug"] == calendar.slug)
        assert {e.uid for e in calendar.events} == {e["uid"] for e in expected["events"]}
    employees = db.session.scalars(select(Employee)).all()
    assert len(tenant_users) > 0
    assert {(e.tenant_id, e.entra_oid) for e in employees} == {
        (app.config["ENTRA_TENANT_ID"], u["id"]) for u in tenant_users
    }
    assert _count(Role) == 9
    assert first.output.strip() == (
        f"Demo city loaded ({len(city['facilities'])} facilities, {_count(FacilitySpace)} spaces, "
        f"{len(city['calendars'])} calendars, {_count(CalendarEvent)} events, "
        f"{len(tenant_users)} employees created)."
    )

    after_first = _every_row()
    second = runner.invoke(mygov_cli, ["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "0 facilities, 0 spaces, 0 calendars, 0 events, 0 employees created" in second.output
    assert _every_row() == after_first


def test_seeded_spaces_carry_their_room_mailboxes(app):
    app.test_cli_runner().invoke(mygov_cli, ["seed-demo"])
    room = db.session.scalar(select(FacilitySpace).where(FacilitySpace.slug == "program-room"))
    assert room.exchange_resource_mailbox == "rm_LIB_ProgramRoom@auburnal.gov"
    assert room.is_citizen_reservable and room.reservation_config.max_attendees == 80
    chambers = db.session.scalar(select(FacilitySpace).where(FacilitySpace.slug == "council-chambers"))
    assert chambers.exchange_resource_mailbox and not chambers.is_citizen_reservable


def test_demo_rooms_and_buildings_match_what_exchange_holds(app):
    from app.demo.services import seed_demo

    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    places = json.loads(DEVTENANT_SEED.read_text())["places"]
    rooms = {p["emailAddress"].lower(): p for p in places if p.get("emailAddress")}
    buildings = {p["displayName"]: p for p in places if p["@odata.type"] == "#microsoft.graph.building"}
    for space in db.session.scalars(select(FacilitySpace).where(FacilitySpace.exchange_resource_mailbox.is_not(None))):
        room = rooms[space.exchange_resource_mailbox.lower()]
        assert space.mailbox_display_name == room["displayName"] and space.graph_place_id == room["id"]
    for facility in db.session.scalars(select(Facility)):
        assert facility.graph_building_place_id == buildings[facility.name]["id"]


def test_a_demo_series_starts_on_one_of_its_own_dates(app):
    from datetime import date

    from dateutil.rrule import rrulestr

    from app.demo.services import seed_demo

    for today in (date(2026, 12, 4), date(2027, 3, 1)):  # +5 days: a Wednesday, a Saturday
        seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"], today=today)
        for event in db.session.scalars(select(CalendarEvent).where(CalendarEvent.rrule.is_not(None))):
            start = event.start_at.astimezone(ZoneInfo(event.time_zone))
            first = rrulestr(event.rrule, dtstart=start.replace(tzinfo=None))[0]
            assert first == start.replace(tzinfo=None), (event.title, start, first)
        db.session.execute(CalendarEvent.__table__.delete())
        db.session.commit()
