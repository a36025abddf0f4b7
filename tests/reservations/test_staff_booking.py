"""Staff book for a citizen through the same rules; a facilities role may set a rule aside with a
reason, audited; nobody sets aside another booking."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.mail.models import EmailMessage
from app.reservations.models import Reservation
from tests.jobs.helpers import drain
from tests.reservations.desk_helpers import outlook_booking
from tests.reservations.helpers import csrf_token, make_room, next_open_day, page_text, staff

PAGE = "/staff/bookings/new/"


def _form(space, day, start="10:00", end="11:00", **fields) -> dict[str, str]:
    return {"space": str(space.id), "date": day.isoformat(), "start_time": start, "end_time": end,
            "requester_name": "Walk In", "requester_email": "walkin@example.org", "requester_phone": "",
            "purpose": "Tutoring", "attendees": "3", **fields}


def _post(client, form):
    return client.post(PAGE, data={**form, "csrf_token": csrf_token(client, PAGE)})


def test_staff_book_for_a_citizen_who_is_emailed_and_exchange_is_written(app, exchange):
    space = make_room()
    day = next_open_day()
    desk, employee = staff(app, "reservations.approver", name="Dana Desk")
    response = _post(desk, _form(space, day))
    assert response.status_code == 303
    reservation = db.session.scalars(select(Reservation)).one()
    assert response.headers["Location"].endswith(f"/staff/reservations/{reservation.id}")
    assert reservation.requester_email == "walkin@example.org" and reservation.status == "pending"
    assert reservation.history[0].actor_label == "Dana Desk"
    assert reservation.history[0].detail == "Entered by staff for Walk In."
    assert db.session.scalars(select(EmailMessage.recipient).where(
        EmailMessage.template == "reservation_received")).all() == ["walkin@example.org"]
    audit = db.session.scalars(select(AuditEntry)).one()
    assert audit.action == "reservation.staff_booking" and audit.actor_id == employee.id
    drain()
    assert reservation.exchange_event_id in {e["id"] for e in exchange.control.events(space.exchange_resource_mailbox)}


def test_the_rules_apply_and_only_a_facilities_role_may_set_them_aside_with_a_reason(app, exchange):
    space = make_room()
    sunday = next_open_day() + timedelta(days=(6 - next_open_day().weekday()) % 7)
    assert sunday.isoweekday() == 7
    desk, _ = staff(app, "reservations.approver", name="Dana Desk")
    refused = _post(desk, _form(space, sunday, "19:00", "21:00", override="yes", override_reason="Late event"))
    assert refused.status_code == 422  # no facilities role: the override box is not even there
    text = page_text(refused)
    assert "The space is closed on Sundays" in text and "Setting the room's rules aside" not in text

    manager, employee = staff(app, "reservations.approver", "facilities.editor", name="Max Manager")
    without_reason = _post(manager, _form(space, sunday, "19:00", "21:00", override="yes"))
    assert without_reason.status_code == 422
    text = page_text(without_reason)
    assert "Say why the rules are set aside" in text and "closed on Sundays" in text
    assert "Choose a start time within the opening hours on Sundays" in text  # listed as rules it breaks
    assert db.session.scalars(select(Reservation)).all() == []

    done = _post(manager, _form(space, sunday, "19:00", "21:00", override="yes",
                                override_reason="Council asked for an evening session."))
    assert done.status_code == 303
    reservation = db.session.scalars(select(Reservation)).one()
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reservation.rule_override")).one()
    assert audit.actor_id == employee.id and audit.after["reason"] == "Council asked for an evening session."
    assert any("closed on Sundays" in rule for rule in audit.after["rules_set_aside"])
    assert "Council asked for an evening session." in reservation.history[0].detail
    html = manager.get(f"/staff/reservations/{reservation.id}").get_data(as_text=True)
    assert "Rules set aside" in html


def test_no_override_sets_aside_another_booking(app, exchange):
    space = make_room()
    day = next_open_day()
    outlook_booking(exchange, space.exchange_resource_mailbox, day, "10:00", "12:00", "Board training")
    manager, _ = staff(app, "reservations.approver", "facilities.editor")
    taken = _post(manager, _form(space, day, "11:00", "13:00", override="yes", override_reason="Important"))
    assert taken.status_code == 409
    assert "That time is taken in MyGov or in Outlook" in page_text(taken)
    assert db.session.scalars(select(Reservation)).all() == []


def test_data_errors_are_named_and_viewers_cannot_book(app):
    space = make_room()
    desk, _ = staff(app, "reservations.approver")
    bad = _post(desk, {**_form(space, next_open_day()), "space": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Choose the room to book." in html
    bad = _post(desk, _form(space, next_open_day(), requester_email="nope"))
    assert 'id="field-requester_email"' in bad.get_data(as_text=True) and "aria-invalid" in bad.get_data(as_text=True)
    viewer, _ = staff(app, "reservations.viewer", name="Val Viewer")
    assert viewer.get(PAGE).status_code == 403
    # the repeating booking pages are a list, one room a line (room names already hold commas)
    page = desk.get(PAGE).get_data(as_text=True)
    assert f'">{space.name}, {space.facility.name}</a></li>' in page
