"""A staff member glancing at the room calendar in Outlook tells a pending request from a confirmed
one: the state leads the subject and is a category; approving updates the event through the outbox.
Both stay busy (README, "Reservations in Outlook": tentative would let Outlook users double-book)."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.facilities import reconcile
from app.jobs.models import GraphOperation
from app.microsoft import graph_client
from app.reservations import services
from app.reservations.models import Reservation
from tests.factories import make_employee
from tests.jobs.helpers import drain
from tests.reservations.helpers import booking_form, make_room, next_open_day, submit

ROOM = "rm_LIB_StudyRoomA@auburnal.gov"


def _room_event(exchange, reservation: Reservation) -> dict | None:
    found = [e for e in exchange.control.events(ROOM) if reservation.reference in (e.get("subject") or "")]
    assert len(found) <= 1
    return found[0] if found else None


def test_pending_then_approved_is_visible_in_the_room_calendar(app, client, exchange):
    space = make_room()
    space.provisioning_state = "active"
    db.session.commit()
    submit(client, space, booking_form(next_open_day(), "14:00", "15:00"))
    drain()
    reservation = db.session.scalars(select(Reservation)).one()
    pending = _room_event(exchange, reservation)
    assert pending["subject"] == f"Pending: MyGov reservation {reservation.reference}"
    assert pending["categories"] == ["MyGov", "MyGov pending"] and pending["showAs"] == "busy"
    assert reconcile.compare_space(graph_client(), space, reservation.start_at, reservation.end_at) == []

    with app.test_request_context():
        services.approve(reservation, make_employee("Alex Approver"))
    drain()
    confirmed = _room_event(exchange, reservation)
    assert confirmed["id"] == pending["id"]
    assert confirmed["subject"] == f"Confirmed: MyGov reservation {reservation.reference}"
    assert confirmed["categories"] == ["MyGov", "MyGov confirmed"] and confirmed["showAs"] == "busy"
    assert reconcile.compare_space(graph_client(), space, reservation.start_at, reservation.end_at) == []


def test_approving_before_the_worker_ran_still_ends_confirmed(app, client, exchange):
    space = make_room()
    submit(client, space, booking_form(next_open_day(), "14:00", "15:00"))
    reservation = db.session.scalars(select(Reservation)).one()
    with app.test_request_context():
        services.approve(reservation, make_employee("Alex Approver"))
    drain()
    assert _room_event(exchange, reservation)["subject"].startswith("Confirmed: ")
    update = db.session.scalars(select(GraphOperation).where(GraphOperation.kind == "update_event")).one()
    assert update.status == "done" and update.idempotency_key == f"reservation-{reservation.reference}-approve"


def test_a_space_without_approval_writes_a_confirmed_event_and_deny_removes_a_pending_one(app, client, exchange):
    space = make_room(approval=False)
    submit(client, space, booking_form(next_open_day(), "10:00", "11:00"))
    drain()
    confirmed = db.session.scalars(select(Reservation)).one()
    assert _room_event(exchange, confirmed)["subject"].startswith("Confirmed: ")

    space.reservation_config.approval_required = True
    db.session.commit()
    submit(client, space, booking_form(next_open_day(), "14:00", "15:00", requester_email="bo@example.org"))
    drain()
    pending = db.session.scalars(select(Reservation).where(Reservation.status == "pending")).one()
    assert _room_event(exchange, pending)["subject"].startswith("Pending: ")
    with app.test_request_context():
        services.deny(pending, make_employee("Alex Approver"), "The room is needed for a city meeting.")
    drain()
    assert _room_event(exchange, pending) is None
