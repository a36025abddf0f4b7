"""Closures: one-off or repeating, for a space, a facility or the whole city (holidays). Each refuses
bookings with its reason, shows on the public room page, is a busy all-day event in the room's
Outlook calendar, and never cancels a booking by itself."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.facilities.models import Closure
from app.reservations import occupancy
from app.reservations.models import Reservation
from tests.facilities.helpers import make_space, post
from tests.factories import staff_client
from tests.jobs.helpers import drain
from tests.reservations.helpers import CITY, booking_form, make_room, next_open_day, page_text, space_url, submit

ROOM = "rm_LIB_StudyRoomA@auburnal.gov"


def _closures_url(space) -> str:
    return f"/staff/facilities/{space.facility_id}/closures"


def _noon(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=CITY).astimezone(timezone.utc)


def _closure_events(tenant) -> list[dict]:
    return [e for e in tenant.control.events(ROOM) if (e.get("subject") or "").startswith("Closed: ")]


def test_a_closure_is_busy_in_outlook_refuses_a_booking_and_shows_on_the_room_page(app, devtenant_clean):
    space = make_room()
    day = next_open_day()
    citizen = app.test_client()
    editor, _ = staff_client(app, "facilities.editor")
    response = post(editor, _closures_url(space), {"reason": "Floor repairs", "first_day": day.isoformat(),
                                                   "space_id": str(space.id)})
    assert response.status_code == 303
    closure = db.session.scalars(select(Closure)).one()
    assert db.session.scalars(select(AuditEntry.action)).all() == ["facilities.closure.add"]

    drain()
    [event] = _closure_events(devtenant_clean)
    assert event["subject"] == "Closed: Floor repairs" and event["isAllDay"] and event["showAs"] == "busy"

    refused = submit(citizen, space, booking_form(day, "10:00", "11:00"))
    assert refused.status_code == 409
    assert "The room is closed at that time (Floor repairs)" in page_text(refused)
    room_page = page_text(citizen.get(space_url(space)))
    assert f"{day:%A, %B %-d}: Floor repairs" in room_page
    assert "Closed: Floor repairs." in room_page  # the day in the free-times list
    assert submit(citizen, space, booking_form(day + timedelta(days=1 if day.isoweekday() < 6 else 2))
                  ).status_code == 303

    assert post(editor, f"/staff/facilities/closures/{closure.id}/remove", token_from=_closures_url(space)
                ).status_code == 303
    drain()
    assert _closure_events(devtenant_clean) == []
    assert submit(citizen, space, booking_form(day, "10:00", "11:00", requester_email="bo@example.org")
                  ).status_code == 303


def test_a_repeating_closure_blocks_only_its_weekdays_and_is_a_series_in_outlook(app, devtenant_clean):
    space = make_room()
    day = next_open_day()
    editor, _ = staff_client(app, "facilities.editor")
    form = {"reason": "Staff training", "first_day": day.isoformat(), "last_day": (day + timedelta(days=20)).isoformat(),
            "weekdays": str(day.isoweekday())}
    assert post(editor, _closures_url(space), form).status_code == 303
    blocked = [day + timedelta(weeks=n) for n in range(3)]
    for closed_day in blocked:
        assert [o.kind for o in occupancy.conflicts(space, _noon(closed_day), _noon(closed_day) + timedelta(hours=1))
                ] == [occupancy.CLOSURE]
    assert occupancy.conflicts(space, _noon(day + timedelta(days=1)), _noon(day + timedelta(days=1, hours=1))) == []
    drain()
    [series] = _closure_events(devtenant_clean)
    assert series["recurrence"]["pattern"]["type"] == "weekly" and series["showAs"] == "busy"


def test_city_holidays_close_every_facility_and_only_editors_change_them(app, devtenant_clean):
    space = make_room()
    other = make_space(space.facility, "Program Room")
    day = next_open_day()
    viewer, _ = staff_client(app, "facilities.viewer")
    assert viewer.get("/staff/facilities/holidays").status_code == 403
    editor, _ = staff_client(app, "facilities.editor", name="Fran Facilities")
    assert post(editor, "/staff/facilities/holidays", {"reason": "Thanksgiving", "first_day": day.isoformat()}
                ).status_code == 303
    for room in (space, other):
        assert [o.label for o in occupancy.conflicts(room, _noon(day), _noon(day) + timedelta(hours=1))] == ["Thanksgiving"]


def test_bad_closures_are_refused_on_their_fields(app):
    space = make_room()
    editor, _ = staff_client(app, "facilities.editor")
    response = post(editor, _closures_url(space), {"reason": "", "first_day": "2026-12-24", "last_day": "2026-12-20"})
    assert response.status_code == 422
    text = page_text(response)
    assert "Say why it is closed" in text and "The last day cannot be before the first day" in text
    assert 'id="field-reason" name="reason" aria-describedby="error-reason hint-reason" aria-invalid="true"' in (
        response.get_data(as_text=True))
    assert db.session.scalars(select(Closure)).all() == []


def test_a_closure_over_an_existing_booking_lists_it_and_cancels_nothing(app, devtenant_clean):
    space = make_room()
    day = next_open_day()
    assert submit(app.test_client(), space, booking_form(day, "10:00", "11:00")).status_code == 303
    editor, _ = staff_client(app, "facilities.editor")
    post(editor, _closures_url(space), {"reason": "Water leak", "first_day": day.isoformat()})
    reservation = db.session.scalars(select(Reservation)).one()
    assert reservation.reference in page_text(editor.get(_closures_url(space)))
    assert reservation.status == "pending"
