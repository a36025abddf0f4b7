"""The reservation lifecycle: submit, approve, deny, cancel. The only place that changes reservations.

Each operation commits the reservation's new state, its history line, the outbox operation that
writes the change to the room's Exchange calendar and the email to the citizen in one
transaction; the worker carries out the Graph calls after the commit.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.access.models import AuditEntry
from app.extensions import db
from app.facilities.models import FacilitySpace
from app.jobs.outbox import record_operation
from app.mail.services import send_template
from app.people.models import Employee
from app.reservations import confirmation, exchange
from app.reservations.availability import Interval, exchange_busy, first_conflict, mygov_busy
from app.reservations.links import manage_url
from app.reservations.models import Reservation, ReservationEvent
from app.reservations.rules import BookingRequest
from app.sqltypes import utcnow

CITIZEN = "Citizen"
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread


class SlotTaken(Exception):
    """Someone else has the time (in MyGov or in Outlook); nothing was written."""


class NotAllowed(Exception):
    """The reservation's state does not allow this action (e.g. approving a cancelled one)."""


def new_reference() -> str:
    return "R-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def submit_reservation(space: FacilitySpace, booking: BookingRequest, *, client_key: str | None = None,
                       entered_by: Employee | None = None) -> Reservation:
    """Reserve the time and block it in Exchange; raises SlotTaken, exchange.ExchangeUnavailable or
    confirmation.TooManyRequests.

    A citizen's request (`entered_by` None) counts against the caps of its address and client
    (`client_key`) and lapses unless its address is confirmed (app/reservations/confirmation.py);
    a booking staff enter for a caller (`entered_by` the employee) is exempt from both.
    Call it in a fresh unit of work (nothing else pending in the session).
    """
    config = space.reservation_config
    assert config is not None
    if entered_by is None:
        confirmation.check_limits(booking.requester_email, client_key, utcnow())
    requested = Interval(booking.start_at, booking.end_at)
    margin = timedelta(minutes=config.buffer_minutes)
    # Ask Exchange first, outside the database lock: a slot booked in Outlook a moment ago is
    # refused. When Graph cannot answer, exchange_busy raises ExchangeUnavailable and the
    # citizen is asked to try again: a refusal is better than a double booking we could not see.
    outlook = exchange_busy(space, requested.start - margin, requested.end + margin)
    if first_conflict(requested, outlook, config.buffer_minutes):
        raise SlotTaken()

    space_id = space.id
    try:
        _lock_space_for_booking(space_id)
        taken = mygov_busy(space, requested.start - margin, requested.end + margin)
        if first_conflict(requested, taken, config.buffer_minutes):
            raise SlotTaken()
        reservation = _insert(space, booking, approved=not config.approval_required, client_key=client_key,
                              entered_by=entered_by)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if "reservation_no_overlap" in str(error.orig):
            raise SlotTaken() from None
        raise
    except SlotTaken:
        db.session.rollback()
        raise
    return reservation


def _lock_space_for_booking(space_id: int) -> None:
    """No other booking of this space runs between our overlap check and our insert.

    PostgreSQL: lock the space's row; the exclusion constraint stays the last word on overlaps,
    and this lock also makes the buffer check race-free. SQLite has neither row locks nor
    exclusion constraints: take the database's write lock now (BEGIN IMMEDIATE), so competing
    submissions queue up behind it and see each other's rows.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("BEGIN IMMEDIATE"))
    else:
        db.session.execute(
            select(FacilitySpace.id).where(FacilitySpace.id == space_id).with_for_update()
        )


def _insert(space: FacilitySpace, booking: BookingRequest, *, approved: bool, client_key: str | None,
            entered_by: Employee | None) -> Reservation:
    citizen = entered_by is None
    reservation = Reservation(
        reference=new_reference(), space=space, requester_name=booking.requester_name,
        requester_email=booking.requester_email, requester_phone=booking.requester_phone,
        purpose=booking.purpose, attendees=booking.attendees, start_at=booking.start_at,
        end_at=booking.end_at, status="approved" if approved else "pending",
        manage_token=secrets.token_urlsafe(32),
        confirm_by=confirmation.deadline(utcnow()) if citizen else None, client_key=client_key if citizen else None,
    )
    db.session.add(reservation)
    db.session.flush()
    if entered_by is None:
        _history(reservation, "submitted", CITIZEN)
    else:
        _history(reservation, "submitted", entered_by.display_name, "Entered by staff.", actor=entered_by)
    if approved:
        _history(reservation, "approved", "MyGov", "This space needs no approval.")
    record_operation(
        "create_event",
        target_type="reservation",
        target_id=reservation.id,
        payload=exchange.create_event_payload(reservation, idempotency_key(reservation, "create")),
        idempotency_key=idempotency_key(reservation, "create"),
    )
    if reservation.confirm_by is not None:
        confirmation.ask_to_confirm(reservation)  # the receipt follows once the address is confirmed
    else:
        _notify(reservation, "reservation_approved" if approved else "reservation_received")
    return reservation


def confirm_address(reservation: Reservation) -> bool:
    """The citizen opened the link sent to their address: the request stands, and its receipt goes
    out. False when there was nothing to confirm (already confirmed, lapsed, or ended)."""
    if reservation.email_confirmed_at is not None or reservation.confirm_by is None or not reservation.is_active:
        return False
    reservation.email_confirmed_at = utcnow()
    reservation.confirm_by = None
    _notify(reservation, "reservation_approved" if reservation.status == "approved" else "reservation_received")
    db.session.commit()
    return True


def release_unconfirmed() -> int:
    """Cancel every request whose address was not confirmed in time, and remove its hold from the
    room's Exchange calendar (outbox); the unconfirmed address gets no further email."""
    released = confirmation.lapsed(utcnow())
    for reservation in released:
        reservation.status = "cancelled"
        _history(reservation, "cancelled", "MyGov",
                 "Released: the email address was not confirmed in time.")
        _remove_event(reservation)
    db.session.commit()
    return len(released)


def idempotency_key(reservation: Reservation, action: str) -> str:
    return f"reservation-{reservation.reference}-{action}"


def approve(reservation: Reservation, staff: Employee) -> None:
    if not reservation.can_approve():
        raise NotAllowed()
    _decide(reservation, staff, "approved", reason=None)
    _notify(reservation, "reservation_approved")
    db.session.commit()


def deny(reservation: Reservation, staff: Employee, reason: str) -> None:
    if not reservation.can_deny():
        raise NotAllowed()
    _decide(reservation, staff, "denied", reason=reason)
    _remove_event(reservation)
    _notify(reservation, "reservation_denied")
    db.session.commit()


def cancel_by_staff(reservation: Reservation, staff: Employee, reason: str | None) -> None:
    if not reservation.can_cancel():
        raise NotAllowed()
    _decide(reservation, staff, "cancelled", reason=reason)
    _remove_event(reservation)
    _notify(reservation, "reservation_cancelled", by_citizen=False)
    db.session.commit()


def cancel_by_citizen(reservation: Reservation) -> None:
    if not reservation.can_cancel():
        raise NotAllowed()
    reservation.status = "cancelled"
    _history(reservation, "cancelled", CITIZEN)
    _remove_event(reservation)
    _notify(reservation, "reservation_cancelled", by_citizen=True)
    db.session.commit()


def _decide(reservation: Reservation, staff: Employee, status: str, reason: str | None) -> None:
    before = {"status": reservation.status}
    reservation.status = status
    reservation.decided_by = staff
    reservation.decided_at = utcnow()
    reservation.decision_reason = reason
    _history(reservation, status, staff.display_name, reason, actor=staff)
    db.session.add(AuditEntry(
        actor_id=staff.id, actor_label=staff.display_name, action=f"reservation.{status}",
        target_type="reservation", target_id=str(reservation.id), before=before,
        after={"status": status, "reason": reason},
    ))


def _remove_event(reservation: Reservation) -> None:
    """Delete the blocking event; the worker waits for (or supersedes) a create not yet run."""
    record_operation(
        "delete_event",
        target_type="reservation",
        target_id=reservation.id,
        payload={"mailbox": reservation.space.exchange_resource_mailbox},
        idempotency_key=idempotency_key(reservation, "delete"),
    )


def _notify(reservation: Reservation, template: str, **extra: object) -> None:
    send_template(
        template,
        recipient=reservation.requester_email,
        recipient_name=reservation.requester_name,
        context={
            "reference": reservation.reference,
            "requester_name": reservation.requester_name,
            "space_name": reservation.space.name,
            "facility_name": reservation.space.facility.name,
            "facility_address": reservation.space.facility.address,
            "start_at": reservation.start_at,
            "end_at": reservation.end_at,
            "reason": reservation.decision_reason,
            "manage_url": manage_url(reservation),
            **extra,
        },
        related_type="reservation",
        related_id=reservation.id,
    )


def _history(
    reservation: Reservation, kind: str, actor_label: str, detail: str | None = None,
    actor: Employee | None = None,
) -> None:
    reservation.history.append(
        ReservationEvent(kind=kind, actor_label=actor_label, detail=detail, actor=actor)
    )


def record_sync_result(reservation_id: int, kind: str, detail: str | None = None) -> None:
    """History line written by the worker when Exchange has done (or refused) an operation."""
    db.session.add(ReservationEvent(
        reservation_id=reservation_id, kind=kind, actor_label="MyGov", detail=detail,
    ))
