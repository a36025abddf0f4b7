"""Staff screens: the queue, one reservation's page, and approve / deny / cancel."""
from __future__ import annotations

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.jobs.models import GraphOperation
from app.mail.models import EmailMessage
from app.reservations.models import Reservation
from tests.reservations.helpers import (
    booking_form,
    csrf_token,
    make_room,
    next_open_day,
    staff,
    submit,
)


def _pending(client) -> Reservation:
    submit(client, make_room(), booking_form(next_open_day()))
    return db.session.scalars(select(Reservation)).one()


def _ops(kind: str) -> list[GraphOperation]:
    return db.session.scalars(select(GraphOperation).where(GraphOperation.kind == kind)).all()


def test_the_queue_needs_the_approver_role(app, client):
    _pending(client)
    viewer, _ = staff(app, "reservations.viewer")
    assert viewer.get("/staff/reservations/").status_code == 403
    approver, _ = staff(app, "reservations.approver", name="Alex Approver")
    html = approver.get("/staff/reservations/").get_data(as_text=True)
    assert "1 reservation is waiting for approval." in html
    assert "Ann Citizen" in html and "ann@example.org" in html and "Being written to Exchange" in html


def test_the_queue_lists_the_rooms_other_bookings_that_day(app, client):
    space = make_room()
    day = next_open_day()
    submit(client, space, booking_form(day, "10:00", "11:00"))
    submit(client, space, booking_form(day, "14:00", "15:00", requester_name="Bo Neighbour"))
    approver, _ = staff(app, "reservations.approver")
    html = approver.get("/staff/reservations/").get_data(as_text=True)
    assert html.count("Bo Neighbour") == 2  # its own row, and as the other booking of Ann's day
    assert "2 reservations are waiting for approval." in html


def test_approving_emails_the_requester_and_is_audited(app, client):
    reservation = _pending(client)
    approver, employee = staff(app, "reservations.approver", name="Alex Approver")
    page = f"/staff/reservations/{reservation.id}"
    response = approver.post(page + "/approve", data={"csrf_token": csrf_token(approver, page)})
    assert response.status_code == 303
    db.session.expire_all()
    assert reservation.status == "approved" and reservation.decided_by_id == employee.id
    assert [e.kind for e in reservation.history] == ["submitted", "approved"]
    assert reservation.history[-1].actor_label == "Alex Approver"
    templates = db.session.scalars(select(EmailMessage.template).order_by(EmailMessage.id)).all()
    assert templates == ["reservation_confirm_address", "reservation_approved"]
    assert _ops("delete_event") == []
    audit = db.session.scalars(select(AuditEntry)).one()
    assert audit.action == "reservation.approved" and audit.target_id == str(reservation.id)


def test_denying_needs_a_reason_then_removes_the_event_and_tells_the_requester(app, client):
    reservation = _pending(client)
    approver, _ = staff(app, "reservations.approver")
    page = f"/staff/reservations/{reservation.id}"
    token = csrf_token(approver, page)
    refused = approver.post(page + "/deny", data={"csrf_token": token, "reason": " "})
    assert refused.status_code == 422
    assert 'aria-describedby="deny-error deny-hint"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert reservation.status == "pending" and _ops("delete_event") == []

    asked = approver.post(page + "/deny", data={"csrf_token": token, "reason": "The room is being painted."})
    html = asked.get_data(as_text=True)  # without JavaScript, a page asks first; nothing changed yet
    assert asked.status_code == 200 and f"Deny request {reservation.reference}?" in html
    assert 'name="reason" value="The room is being painted."' in html and 'name="confirmed" value="yes"' in html
    db.session.expire_all()
    assert reservation.status == "pending" and _ops("delete_event") == []
    approver.post(page + "/deny", data={"csrf_token": token, "reason": "The room is being painted.", "confirmed": "yes"})
    db.session.expire_all()
    assert reservation.status == "denied" and reservation.decision_reason == "The room is being painted."
    assert _ops("delete_event")[0].target_id == str(reservation.id)
    denied = db.session.scalars(select(EmailMessage).where(EmailMessage.template == "reservation_denied")).one()
    assert "The room is being painted." in _ops("send_mail")[-1].payload["message"]["body"]["content"]
    assert denied.recipient == "ann@example.org"


def test_staff_cancel_removes_the_event_and_a_decided_reservation_cannot_be_decided_again(app, client):
    reservation = _pending(client)
    approver, _ = staff(app, "reservations.approver")
    page = f"/staff/reservations/{reservation.id}"
    token = csrf_token(approver, page)
    approver.post(page + "/cancel", data={"csrf_token": token, "reason": "", "confirmed": "yes"})
    again = approver.post(page + "/approve", data={"csrf_token": token}, follow_redirects=True)
    assert "is already cancelled; nothing was changed" in again.get_data(as_text=True)
    db.session.expire_all()
    assert reservation.status == "cancelled" and len(_ops("delete_event")) == 1


def test_the_reservation_page_shows_history_and_sync_state_to_viewers(app, client):
    reservation = _pending(client)
    viewer, _ = staff(app, "reservations.viewer")
    html = viewer.get(f"/staff/reservations/{reservation.id}").get_data(as_text=True)
    assert "usa-process-list" in html and "Submitted" in html and "Being written to Exchange" in html
    assert "Approve R-" not in html  # viewers see, approvers decide
    assert viewer.post(f"/staff/reservations/{reservation.id}/approve").status_code in (400, 403)


def test_the_other_bookings_that_day_include_the_ones_made_in_outlook(app, client, exchange):
    space = make_room()
    day = next_open_day()
    exchange.control.add_event(space.exchange_resource_mailbox, {
        "subject": "Board training (Outlook)", "showAs": "busy",
        "start": {"dateTime": f"{day}T15:00:00", "timeZone": "America/Chicago"},
        "end": {"dateTime": f"{day}T16:00:00", "timeZone": "America/Chicago"},
    })
    submit(client, space, booking_form(day, "10:00", "11:00"))
    approver, _ = staff(app, "reservations.approver")
    html = approver.get("/staff/reservations/").get_data(as_text=True)
    assert "Board training (Outlook)" in html


def test_the_queue_filters_by_facility_and_by_space(app, client):
    from app.facilities.models import Facility, FacilitySpace, ReservationConfig

    library_room = make_room()
    hall = Facility(name="Boykin Community Center", slug="boykin", building_abbreviation="CC")
    rules = {c: getattr(library_room.reservation_config, c) for c in ("open_time", "close_time", "lead_time_hours")}
    gym = FacilitySpace(facility=hall, name="Gymnasium", slug="gym", exchange_resource_mailbox="rm_CC_Gymnasium@auburnal.gov",
                        reservation_config=ReservationConfig(**rules))
    db.session.add(gym)
    db.session.commit()
    day = next_open_day()
    submit(client, library_room, booking_form(day))
    submit(client, gym, booking_form(day, requester_name="Gus Gym"))
    approver, _ = staff(app, "reservations.approver")
    everything = approver.get("/staff/reservations/").get_data(as_text=True)
    assert "Ann Citizen" in everything and "Gus Gym" in everything
    by_hall = approver.get(f"/staff/reservations/?facility={hall.id}").get_data(as_text=True)
    assert "Gus Gym" in by_hall and "Ann Citizen" not in by_hall
    by_room = approver.get(f"/staff/reservations/?space={library_room.id}").get_data(as_text=True)
    assert "Ann Citizen" in by_room and "Gus Gym" not in by_room


def test_deny_and_cancel_on_a_pending_request_are_told_apart_and_both_ask_first(app, client):
    reservation = _pending(client)
    approver, _ = staff(app, "reservations.approver")
    page = f"/staff/reservations/{reservation.id}"
    html = approver.get(page).get_data(as_text=True)
    assert "Refuse the request" in html and "Call off the reservation" in html
    assert f"Deny request {reservation.reference}</button>" in html
    assert f"Cancel reservation {reservation.reference}</button>" in html
    assert f'data-confirm="Cancel reservation {reservation.reference}?"' in html
    asked = approver.post(page + "/cancel", data={"csrf_token": csrf_token(approver, page), "reason": ""})
    assert asked.status_code == 200 and f"Cancel reservation {reservation.reference}?" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert reservation.status == "pending"
