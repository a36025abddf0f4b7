"""Moving a booking to another time or room, by staff or by the citizen through their link.

The move is checked like a new booking (the new room's rules, MyGov's bookings, Exchange's busy
time without MyGov's own events, by id), then committed with its outbox operations in one
transaction:
- same room mailbox: `update_event` moves the event (its id stays);
- another mailbox: `delete_event` in the old room, then `create_event` in the new one. Both target
  the reservation, so the worker runs them in that order: once drained, exactly one event exists.
The old time is free at once: the reservation's new time is what MyGov counts, and its old event
is discounted by id (holds.py) until the worker has moved or removed it.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.access.models import AuditEntry
from app.extensions import db
from app.facilities import sharepoint
from app.facilities.models import FacilitySpace
from app.jobs.outbox import record_operation
from app.people.models import Employee
from app.reservations import exchange
from app.reservations.models import Reservation, ReservationEvent
from app.reservations.rules import BookingRequest
from app.reservations.services import CITIZEN, NotAllowed, check_citizen_may_change, idempotency_key, notify, write_if_free
from app.web.templating import city_zone


def move(reservation: Reservation, space: FacilitySpace, booking: BookingRequest, *, staff: Employee | None) -> None:
    """Raises NotAllowed, TooLateToChange (citizen), SlotTaken or exchange.ExchangeUnavailable."""
    if not reservation.can_cancel():
        raise NotAllowed()
    if staff is None:
        check_citizen_may_change(reservation)
    old_space, old_start, old_end = reservation.space, reservation.start_at, reservation.end_at
    write_if_free(space, booking, lambda: _apply(reservation, space, booking, staff, old_space, old_start, old_end),
                  moving=reservation)


def _apply(reservation: Reservation, space: FacilitySpace, booking: BookingRequest, staff: Employee | None,
           old_space: FacilitySpace, old_start: datetime, old_end: datetime) -> None:
    reservation.space = space
    reservation.start_at, reservation.end_at = booking.start_at, booking.end_at
    reservation.attendees = booking.attendees
    reservation.reminder_sent_at = None
    # A citizen's move of an approved booking in a room that needs approval is asked for again.
    if staff is None and reservation.status == "approved" and space.reservation_config.approval_required:
        reservation.status = "pending"
    moves = 1 + sum(1 for entry in reservation.history if entry.kind == "moved")
    zone = city_zone(current_app)
    detail = (f"From {old_space.name}, {old_start.astimezone(zone):%A, %B %-d, %-I:%M %p} to "
              f"{space.name}, {booking.start_at.astimezone(zone):%A, %B %-d, %-I:%M %p}.")
    reservation.history.append(ReservationEvent(
        kind="moved", actor_label=staff.display_name if staff else CITIZEN, detail=detail, actor=staff))
    if staff is not None:
        db.session.add(AuditEntry(
            actor_id=staff.id, actor_label=staff.display_name, action="reservation.moved",
            target_type="reservation", target_id=str(reservation.id),
            before={"space": old_space.name, "start": old_start.isoformat(), "end": old_end.isoformat()},
            after={"space": space.name, "start": booking.start_at.isoformat(), "end": booking.end_at.isoformat()},
        ))
    db.session.flush()
    _follow_in_exchange(reservation, old_space.exchange_resource_mailbox, moves)
    sharepoint.mirror_moved(reservation)
    notify(reservation, "reservation_moved")


def _follow_in_exchange(reservation: Reservation, old_mailbox: str | None, moves: int) -> None:
    new_mailbox = reservation.space.exchange_resource_mailbox
    key = idempotency_key(reservation, f"move-{moves}")
    if old_mailbox and old_mailbox == new_mailbox:
        event = exchange.create_event_payload(reservation, key)["event"]
        record_operation("update_event", target_type="reservation", target_id=reservation.id,
                         payload={"mailbox": new_mailbox, "event": {
                             name: event[name] for name in ("subject", "body", "start", "end", "location")}},
                         idempotency_key=f"{key}-update")
        return
    if old_mailbox:
        record_operation("delete_event", target_type="reservation", target_id=reservation.id,
                         payload={"mailbox": old_mailbox}, idempotency_key=f"{key}-delete")
    if new_mailbox:
        record_operation("create_event", target_type="reservation", target_id=reservation.id,
                         payload=exchange.create_event_payload(reservation, f"{key}-create"),
                         idempotency_key=f"{key}-create")
