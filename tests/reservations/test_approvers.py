"""Approvers are told (email, Teams card, daily digest, the count in the navigation) and decide
several requests at once after confirming."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.jobs.models import GraphOperation
from app.mail.models import EmailMessage
from app.reservations import approvers
from app.reservations.models import Reservation
from app.sqltypes import utcnow
from tests.factories import grant, make_employee
from tests.jobs.helpers import drain
from tests.reservations.helpers import (
    booking_form, confirm_latest, csrf_token, make_room, next_open_day, page_text, staff, submit,
)


def _emails(template: str) -> list[EmailMessage]:
    return db.session.scalars(select(EmailMessage).where(EmailMessage.template == template)
                              .order_by(EmailMessage.id)).all()


def test_a_new_request_emails_the_facilitys_approvers_with_a_link(app, client, exchange):
    alex = make_employee("Alex Approver", mail="alex@auburnal.gov")
    grant(alex, "reservations.approver")
    gone = make_employee("Gone Approver", mail="gone@auburnal.gov")
    gone.account_enabled = False
    grant(gone, "reservations.approver")
    viewer = make_employee("Val Viewer", mail="val@auburnal.gov")
    grant(viewer, "reservations.viewer")
    space = make_room()
    assert [e.display_name for e in approvers.for_facility(space.facility)] == ["Alex Approver"]
    submit(client, space, booking_form(next_open_day()))
    confirm_latest(app)  # approvers hear of a request once its address is confirmed
    reservation = db.session.scalars(select(Reservation)).one()
    (waiting,) = _emails("reservation_waiting")
    assert waiting.recipient == "alex@auburnal.gov"
    assert waiting.subject.startswith("Waiting for approval: Study Room A, ")
    payload = db.session.scalars(select(GraphOperation).where(GraphOperation.target_id == str(waiting.id))).one().payload
    assert f"/staff/reservations/{reservation.id}" in payload["message"]["body"]["content"]
    assert not db.session.scalars(select(GraphOperation).where(GraphOperation.kind == "teams_notify")).all()
    drain()
    assert any("alex@auburnal.gov" in str(m) for m in exchange.control.outbound_mail())


def test_no_approver_mail_when_the_room_needs_no_approval_and_a_teams_card_when_set(app, client, monkeypatch):
    alex = make_employee("Alex Approver")
    grant(alex, "reservations.approver")
    space = make_room(approval=False)
    submit(client, space, booking_form(next_open_day()))
    confirm_latest(app)
    assert _emails("reservation_waiting") == []
    space.reservation_config.approval_required = True
    db.session.commit()
    monkeypatch.setitem(app.config, "TEAMS_WEBHOOK_URL", "https://example.invalid/workflow")
    submit(client, space, booking_form(next_open_day(), "14:00", "15:00"))
    confirm_latest(app)
    card = db.session.scalars(select(GraphOperation).where(GraphOperation.kind == "teams_notify")).one()
    assert card.payload["title"].endswith("is waiting for approval")
    assert card.payload["facts"]["Room"] == "Study Room A, Auburn Public Library"
    assert "/staff/reservations/" in card.payload["link"]
    assert len(_emails("reservation_waiting")) == 1


def test_the_daily_digest_lists_requests_waiting_longer_than_the_hours(app, client):
    alex = make_employee("Alex Approver", mail="alex@auburnal.gov")
    grant(alex, "reservations.approver")
    space = make_room()
    submit(client, space, booking_form(next_open_day(), "10:00", "11:00", requester_name="Old Request"))
    submit(client, space, booking_form(next_open_day(), "13:00", "14:00", requester_name="New Request"))
    old = db.session.scalars(select(Reservation).where(Reservation.requester_name == "Old Request")).one()
    old.created_at = utcnow() - timedelta(hours=30)
    db.session.commit()
    assert approvers.send_digest(24) == {"waiting": 1, "approvers_emailed": 1}
    (digest,) = _emails("reservation_digest")
    assert digest.recipient == "alex@auburnal.gov"
    assert digest.subject == "1 reservation request is still waiting for approval"
    body = db.session.scalars(select(GraphOperation).where(GraphOperation.target_id == str(digest.id))).one()
    text = body.payload["text_body"]
    assert old.reference in text and "Old Request" in text and "New Request" not in text
    assert approvers.send_digest(48) == {"waiting": 0, "approvers_emailed": 0}


def test_the_staff_navigation_shows_the_pending_count(app, client):
    space = make_room()
    approver, _ = staff(app, "reservations.approver")
    assert "Reservations (" not in approver.get("/staff/").get_data(as_text=True)
    submit(client, space, booking_form(next_open_day(), "10:00", "11:00"))
    submit(client, space, booking_form(next_open_day(), "12:00", "13:00"))
    assert "Reservations (2 to review)" in page_text(approver.get("/staff/"))


def test_bulk_approve_and_deny_after_confirming(app, client, exchange):
    space = make_room()
    day = next_open_day()
    for start, end in (("10:00", "11:00"), ("12:00", "13:00"), ("14:00", "15:00")):
        submit(client, space, booking_form(day, start, end))
    drain()
    first, second, third = db.session.scalars(select(Reservation).order_by(Reservation.start_at)).all()
    approver, _ = staff(app, "reservations.approver", name="Alex Approver")
    token = csrf_token(approver, "/staff/reservations/")
    review = approver.post("/staff/reservations/bulk/", data={
        "csrf_token": token, "decision": "approve", "reservation": [first.id, second.id]})
    assert review.status_code == 200 and "Approve 2 requests?" in page_text(review)
    db.session.expire_all()
    assert first.status == "pending"  # nothing happens before the confirmation
    done = approver.post("/staff/reservations/bulk/confirm", data={
        "csrf_token": token, "decision": "approve", "reservation": [first.id, second.id]}, follow_redirects=True)
    assert f"Approved 2: {first.reference}, {second.reference}" in page_text(done)
    db.session.expire_all()
    assert (first.status, second.status, third.status) == ("approved", "approved", "pending")
    assert len(_emails("reservation_approved")) == 2

    no_reason = approver.post("/staff/reservations/bulk/confirm", data={
        "csrf_token": token, "decision": "deny", "reservation": [second.id, third.id]})
    assert no_reason.status_code == 422 and "Give the reason" in page_text(no_reason)
    denied = approver.post("/staff/reservations/bulk/confirm", data={
        "csrf_token": token, "decision": "deny", "reservation": [second.id, third.id], "reason": "Floor works."},
        follow_redirects=True)
    text = page_text(denied)
    assert f"Denied 1: {third.reference}" in text and f"Already decided, left as they were: {second.reference}" in text
    drain()
    db.session.expire_all()
    assert third.status == "denied" and third.exchange_event_id is None
    room_events = {e["id"] for e in exchange.control.events(space.exchange_resource_mailbox)}
    assert first.exchange_event_id in room_events and second.exchange_event_id in room_events
    nothing = approver.post("/staff/reservations/bulk/", data={"csrf_token": token, "decision": "approve"},
                            follow_redirects=True)
    assert "Tick at least one request" in page_text(nothing)
