"""Publishing to a room is refused over a reservation or closure there, on the server, unless a facilities
editor gives a reason: then the event holds the room with an explicit, audited exemption (issue 17, point 3)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.access.models import AuditEntry
from app.calendars import services
from app.calendars.forms import EventInput
from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db
from app.facilities.closures import ClosureInput, add_closure
from app.reservations.models import Reservation
from app.reservations.occupancy_models import OccupancyExemption, RoomOccupancy
from tests.facilities.helpers import operations, post
from tests.factories import make_employee, staff_client
from tests.reservations.helpers import CITY, booking_form, make_room, next_open_day, page_text, submit


def _room_booked_10_to_11(client):
    space = make_room()
    day = next_open_day()
    assert submit(client, space, booking_form(day, "10:00", "11:00")).status_code == 303
    calendar = Calendar(name="Library programs", slug="library-programs", time_zone="America/Chicago",
                        exchange_calendar_address=space.exchange_resource_mailbox)
    db.session.add(calendar)
    db.session.commit()
    return space, day, calendar


def _draft(calendar, day, start: str, end: str, title: str = "Town hall") -> CalendarEvent:
    return services.save_event(calendar, None, EventInput(title=title, start_date=day.isoformat(), start_time=start,
                                                          end_time=end), make_employee("Cal Editor"))


def _event_writes() -> list[object]:
    return [op for op in operations("create_event") if op.target_type == "calendar_event"]


def _held_events() -> list[int | None]:
    db.session.expire_all()
    return [row.exemption_id for row in db.session.scalars(select(RoomOccupancy).where(RoomOccupancy.kind == "event"))]


def test_publishing_over_a_booking_is_refused_unless_a_facilities_editor_gives_a_reason(app, client):
    space, day, calendar = _room_booked_10_to_11(client)
    reference = db.session.scalars(select(Reservation)).one().reference
    event = _draft(calendar, day, "10:30", "11:30")
    edit_page = f"/staff/calendars/events/{event.id}"

    publisher, _ = staff_client(app, "calendars.publisher", "calendars.editor", name="Pat Publisher")
    assert "Reason for the overlap" not in page_text(publisher.get(edit_page))  # only those who may override
    refused = post(publisher, f"{edit_page}/publish", token_from=edit_page)
    said = page_text(publisher.get(refused.headers["Location"]))
    assert (f"“Town hall” cannot be published as it stands: {day:%A, %B %-d} at 10:30 AM overlaps "
            f"Reservation {reference} (reservation) in Study Room A") in said
    db.session.expire_all()
    assert db.session.get(CalendarEvent, event.id).status == "draft"
    assert _event_writes() == [] and _held_events() == []

    manager, fran = staff_client(app, "calendars.publisher", "calendars.editor", "facilities.editor",
                                 name="Fran Facilities")
    assert "Reason for the overlap (optional)" in page_text(manager.get(edit_page))
    without_reason = post(manager, f"{edit_page}/publish", {"overlap_reason": "  "}, token_from=edit_page)
    assert "say why in “Reason for the overlap”" in page_text(manager.get(without_reason.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(CalendarEvent, event.id).status == "draft"

    post(manager, f"{edit_page}/publish", {"overlap_reason": "The mayor's town hall takes the room."},
         token_from=edit_page)
    db.session.expire_all()
    assert db.session.get(CalendarEvent, event.id).status == "published"
    assert len(_event_writes()) == 1
    exemption = db.session.scalars(select(OccupancyExemption)).one()
    assert (exemption.kind, exemption.source_id, exemption.granted_by_id) == ("event", event.id, fran.id)
    assert _held_events() == [exemption.id]  # it holds the room, exempted (the constraint honours it)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reservations.occupancy_exemption")).one()
    assert entry.after["reason"] == "The mayor's town hall takes the room."


def test_a_publisher_changing_a_published_event_onto_a_closure_is_refused_and_sees_the_reason_field(app, client):
    space, day, calendar = _room_booked_10_to_11(client)
    other_day = day + timedelta(days=7)
    add_closure(space.facility, ClosureInput("Floor repairs", other_day, other_day, None, space.id),
                make_employee("Fran"))
    event = _draft(calendar, day, "14:00", "15:00")
    services.publish_event(event, make_employee("Pat"))
    edit_page = f"/staff/calendars/events/{event.id}"
    moved = {"title": "Town hall", "start_date": other_day.isoformat(), "start_time": "14:00",
             "end_date": other_day.isoformat(), "end_time": "15:00"}

    publisher, _ = staff_client(app, "calendars.publisher", "calendars.editor", name="Pat Publisher")
    refused = post(publisher, edit_page, moved)
    assert refused.status_code == 422
    said = page_text(refused)
    assert f"{other_day:%A, %B %-d} at 2:00 PM overlaps Floor repairs (closure) in Study Room A" in said
    assert 'name="overlap_reason"' not in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CalendarEvent, event.id).start_at.date() == day

    manager, _ = staff_client(app, "calendars.publisher", "calendars.editor", "facilities.editor", name="Fran")
    asked = post(manager, edit_page, moved)
    assert asked.status_code == 422 and 'name="overlap_reason"' in asked.get_data(as_text=True)
    saved = post(manager, edit_page, {**moved, "overlap_reason": "Repairs are in the back half only."})
    assert saved.status_code == 303
    db.session.expire_all()
    assert db.session.get(CalendarEvent, event.id).start_at.date() == other_day
    assert db.session.scalars(select(OccupancyExemption)).one().reason == "Repairs are in the back half only."


def test_applying_an_editors_change_onto_a_booking_needs_the_facilities_role_and_a_reason(app, client):
    space, day, calendar = _room_booked_10_to_11(client)
    event = _draft(calendar, day, "14:00", "15:00")
    services.publish_event(event, make_employee("Pat"))
    editor = make_employee("Eddie Editor")
    with pytest.raises(services.RevisionProposed) as proposed:
        services.save_event(calendar, event, EventInput(title="Town hall", start_date=day.isoformat(),
                                                        start_time="10:00", end_time="12:00"), editor)
    revision_id = proposed.value.revision.id

    publisher, _ = staff_client(app, "calendars.publisher", name="Pat Publisher")
    refused = post(publisher, f"/staff/calendars/revisions/{revision_id}/apply", token_from="/staff/calendars/revisions/")
    assert "overlaps Reservation" in page_text(publisher.get(refused.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(CalendarEvent, event.id).start_at.astimezone(space_zone()).hour == 14

    manager, _ = staff_client(app, "calendars.publisher", "facilities.editor", name="Fran")
    assert "Reason for the overlap (optional)" in page_text(manager.get("/staff/calendars/revisions/"))
    post(manager, f"/staff/calendars/revisions/{revision_id}/apply", {"overlap_reason": "Council asked for it."},
         token_from="/staff/calendars/revisions/")
    db.session.expire_all()
    assert db.session.get(CalendarEvent, event.id).start_at.astimezone(space_zone()).hour == 10
    assert _held_events() == [db.session.scalars(select(OccupancyExemption)).one().id]


def space_zone():
    from tests.reservations.helpers import CITY
    return CITY


def test_moving_one_date_of_a_published_room_series_onto_a_booking_is_refused_like_a_publish(app, client):
    space, day, calendar = _room_booked_10_to_11(client)
    publisher, pat = staff_client(app, "calendars.publisher", "calendars.editor", name="Pat Publisher")
    series = services.save_event(calendar, None, EventInput(
        title="Chess club", start_date=(day - timedelta(days=7)).isoformat(), start_time="14:00", end_time="15:00",
        rrule="FREQ=WEEKLY;COUNT=3"), pat)
    services.publish_event(series, pat)
    same_week = series.start_at.astimezone(CITY).replace(tzinfo=None) + timedelta(days=7)
    move = {"original": same_week.isoformat(), "start_date": day.isoformat(), "start_time": "10:30",
            "end_time": "11:30"}
    edit_page = f"/staff/calendars/events/{series.id}"

    refused = post(publisher, f"{edit_page}/occurrences/move", move, token_from=edit_page)
    assert refused.status_code == 422
    assert "cannot be published as it stands" in page_text(refused) and "Chess club" in page_text(refused)
    db.session.expire_all()
    assert db.session.get(CalendarEvent, series.id).overrides == []  # nothing moved

    editor, _ = staff_client(app, "calendars.publisher", "calendars.editor", "facilities.editor", name="Fay Facilities")
    assert "Reason for the overlap" in page_text(editor.get(edit_page))
    moved = post(editor, f"{edit_page}/occurrences/move", {**move, "overlap_reason": "The club meets there that day"},
                 token_from=edit_page)
    assert moved.status_code == 303
    db.session.expire_all()
    assert len(db.session.get(CalendarEvent, series.id).overrides) == 1
    assert db.session.scalars(select(OccupancyExemption.reason)).all() == ["The club meets there that day"]
