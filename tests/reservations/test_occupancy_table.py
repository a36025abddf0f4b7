"""The room occupancy table: reservations, every published occurrence up to the horizon and closed
days in one table, guarded by one PostgreSQL exclusion constraint; explicit audited exemptions;
overlaps reported by room reconcile; the daily job carries series forward."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.access.models import AuditEntry
from app.calendars.forms import EventInput
from app.calendars.models import Calendar
from app.calendars.services import publish_event, save_event
from app.extensions import db
from app.facilities import reconcile
from app.facilities.closures import ClosureInput, add_closure
from app.jobs.actions import ACTIONS, load_actions
from app.microsoft import graph_client
from app.reservations import occupancy_table
from app.reservations.models import Reservation
from app.reservations.occupancy_models import RoomOccupancy
from tests.facilities.helpers import post
from tests.factories import make_employee, staff_client
from tests.reservations.helpers import CITY, booking_form, make_room, next_open_day, page_text, submit


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CITY).astimezone(timezone.utc)


def _publish(space, title: str, day, start: str, end: str, **fields: str):
    calendar = db.session.scalar(select(Calendar)) or Calendar(
        name="Library programs", slug="library-programs", time_zone="America/Chicago",
        exchange_calendar_address=space.exchange_resource_mailbox)
    db.session.add(calendar)
    db.session.commit()
    editor = make_employee("Cal Editor")
    event = save_event(calendar, None, EventInput(title=title, start_date=day.isoformat(), start_time=start,
                                                  end_time=end, **fields), editor)
    publish_event(event, editor)
    return event


def _pointed_at_room_later(space, title: str, day, start: str, end: str):
    """An event published over a booking cannot be saved to the room any more (test_publish_over_booking);
    an overlap still arises when a calendar with published events is pointed at the room afterwards."""
    calendar = Calendar(name="Library programs", slug="library-programs", time_zone="America/Chicago")
    db.session.add(calendar)
    db.session.commit()
    editor = make_employee("Cal Editor")
    event = save_event(calendar, None, EventInput(title=title, start_date=day.isoformat(), start_time=start,
                                                  end_time=end), editor)
    publish_event(event, editor)
    calendar.exchange_calendar_address = space.exchange_resource_mailbox
    occupancy_table.sync_space(space)
    db.session.commit()
    return event


def _rows(kind: str) -> list[tuple[datetime, datetime, int | None]]:
    db.session.expire_all()
    return [(r.start_at, r.end_at, r.exemption_id) for r in db.session.scalars(
        select(RoomOccupancy).where(RoomOccupancy.kind == kind).order_by(RoomOccupancy.start_at))]


def _room_booked_10_to_11(client):
    """An active room (reconcile looks at it) with a booking from 10 to 11 on an open day."""
    space = make_room()
    space.provisioning_state = "active"
    db.session.commit()
    day = next_open_day()
    assert submit(client, space, booking_form(day, "10:00", "11:00")).status_code == 303
    return space, day


def test_reservations_series_occurrences_and_closed_days_hold_the_room_in_one_table(app, client):
    space = make_room(horizon_days=30)
    day = next_open_day()
    assert submit(client, space, booking_form(day, "10:00", "11:00")).status_code == 303
    _publish(space, "Chess club", day + timedelta(days=1), "14:00", "15:00", rrule="FREQ=WEEKLY")
    add_closure(space.facility, ClosureInput("Water leak", day, day, None, space.id), make_employee("Fran"))

    assert _rows("reservation") == [(_at(day, 10), _at(day, 11), None)]
    series = _rows("event")
    assert series[0][:2] == (_at(day + timedelta(days=1), 14), _at(day + timedelta(days=1), 15))
    assert 3 <= len(series) <= 5  # every week up to the 30-day horizon
    midnight = datetime.combine(day, time.min, tzinfo=CITY).astimezone(timezone.utc)
    # The closed day is held around the booking already on it: closures never push a booking out.
    assert [r[:2] for r in _rows("closure")] == [(midnight, _at(day, 10)),
                                                 (_at(day, 11), midnight + timedelta(days=1))]


@pytest.mark.postgres  # SQLite has no exclusion constraint: the immediate-transaction check (test_concurrency) guards it
def test_the_exclusion_constraint_refuses_an_overlap_that_skipped_the_check(app, client):
    space = make_room()
    day = next_open_day()
    _publish(space, "Story time", day, "10:00", "11:00")
    db.session.commit()
    db.session.add(RoomOccupancy(space_id=space.id, kind="reservation", source_id=999,
                                 start_at=_at(day, 10, 30), end_at=_at(day, 11, 30)))
    with pytest.raises(IntegrityError, match="room_occupancy_no_overlap"):
        db.session.commit()
    db.session.rollback()


def test_an_event_published_over_a_booking_is_reported_until_staff_record_an_exemption(app, client, devtenant_clean):
    space, day = _room_booked_10_to_11(client)
    event = _pointed_at_room_later(space, "Mayor's visit", day, "10:30", "11:30")
    assert _rows("event") == []  # not held: it overlaps the booking

    summary = reconcile.check_rooms(graph_client())
    assert summary["overlaps"] == 1
    [row] = space.calendar_check["overlaps"]
    assert row["words"].startswith(f"Mayor's visit (event) on {day:%A, %B %-d} at 10:30 AM overlaps")

    manager = make_employee("Fran Facilities")
    with pytest.raises(ValueError):
        occupancy_table.grant_exemption(space, "event", event.id, "  ", manager)
    occupancy_table.grant_exemption(space, "event", event.id, "The mayor's visit takes the room; the group agreed.",
                                    manager)
    db.session.commit()  # the constraint honours the exemption on PostgreSQL
    [(start, end, exemption)] = _rows("event")
    assert (start, end) == (_at(day, 10, 30), _at(day, 11, 30)) and exemption is not None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reservations.occupancy_exemption")).one()
    assert entry.actor_label == "Fran Facilities" and "group agreed" in entry.after["reason"]
    assert reconcile.check_rooms(graph_client())["overlaps"] == 0


def test_the_daily_job_carries_an_endless_series_forward_as_the_horizon_moves(app, client):
    space = make_room(horizon_days=14)
    day = next_open_day()
    _publish(space, "Chess club", day, "14:00", "15:00", rrule="FREQ=WEEKLY")
    db.session.commit()
    before = len(_rows("event"))
    space.reservation_config.horizon_days = 42
    db.session.commit()
    load_actions()
    assert ACTIONS["reservations.extend_occupancy"].run({}) == {"rooms": 1, "overlaps": 0}  # the daily server job
    assert len(_rows("event")) == before + 4


def test_reconcile_shows_an_overlap_and_a_facilities_editor_allows_it_with_a_reason(app, client, devtenant_clean):
    space, day = _room_booked_10_to_11(client)
    event = _pointed_at_room_later(space, "Town hall", day, "10:30", "11:30")
    editor, _ = staff_client(app, "facilities.editor", name="Fran Facilities")
    post(editor, "/staff/facilities/reconcile/check", token_from="/staff/facilities/reconcile")
    assert "Town hall (event)" in page_text(editor.get("/staff/facilities/reconcile"))
    refused = post(editor, f"/staff/facilities/spaces/{space.id}/allow-overlap",
                   {"kind": "event", "source_id": str(event.id), "reason": ""}, token_from="/staff/facilities/reconcile")
    assert "say why this overlap is allowed" in page_text(editor.get(refused.headers["Location"]))
    assert _rows("event") == []
    post(editor, f"/staff/facilities/spaces/{space.id}/allow-overlap",
         {"kind": "event", "source_id": str(event.id), "reason": "The group moved to the lobby."},
         token_from="/staff/facilities/reconcile")
    assert [r[2] is not None for r in _rows("event")] == [True]
    assert "Nothing MyGov put in a room overlaps" in page_text(editor.get("/staff/facilities/reconcile"))


def test_the_reservation_row_follows_whatever_code_moves_or_cancels_it(app, client):
    space, day = _room_booked_10_to_11(client)
    reservation = db.session.scalars(select(Reservation)).one()
    reservation.start_at, reservation.end_at = _at(day, 14), _at(day, 15)  # as the booking desk's move would
    db.session.commit()
    assert _rows("reservation") == [(_at(day, 14), _at(day, 15), None)]
    reservation.status = "cancelled"
    db.session.commit()
    assert _rows("reservation") == []
