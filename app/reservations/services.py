"""The reservation lifecycle: submit, approve, deny, cancel. The only place that changes reservations.

Each operation commits the reservation's new state, its history line, the outbox operation that
writes the change to the room's Exchange calendar and the email to the citizen in one
transaction; the worker carries out the Graph calls after the commit.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.access.models import AuditEntry
from app.extensions import db
from app.facilities import sharepoint
from app.facilities.models import FacilitySpace
from app.jobs.outbox import record_operation
from app.mail.services import send_template
from app.people.models import Employee
# Importing occupancy_table registers the listener that keeps each reservation's occupancy row in step.
from app.reservations import approvers, confirmation, exchange, occupancy, occupancy_table  # noqa: F401
from app.reservations.availability import Interval, exchange_busy, first_conflict
from app.reservations.calendar_links import confirmation_extras
from app.reservations.links import manage_url
from app.reservations.models import Reservation, ReservationEvent, ReservationSeries
from app.reservations.rules import BookingRequest
from app.sqltypes import utcnow

CITIZEN = "Citizen"
Written = TypeVar("Written")
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread


class SlotTaken(Exception):
    """Something occupies the time (in MyGov or in Outlook); nothing was written.

    str() is the real reason, written for the citizen (occupancy.refusal).
    """


class NotAllowed(Exception):
    """The reservation's state does not allow this action (e.g. approving a cancelled one)."""


class TooLateToChange(Exception):
    """Past the space's cutoff the citizen calls the facility instead; nothing was changed."""

    def __init__(self, contact: str | None) -> None:
        super().__init__(contact or "")
        self.contact = contact


def new_reference() -> str:
    return "R-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class StaffEntry:
    """A booking staff entered for a citizen (phone, walk-in); `overridden` are the space's rules
    it breaks, allowed by a facilities role with `reason` (both audited)."""

    staff: Employee
    overridden: dict[str, str] = field(default_factory=dict)
    reason: str | None = None


def submit_reservation(space: FacilitySpace, booking: BookingRequest, entry: StaffEntry | None = None, *,
                       series: ReservationSeries | None = None, client_key: str | None = None) -> Reservation:
    """Reserve the time and block it in Exchange; raises SlotTaken, exchange.ExchangeUnavailable or
    confirmation.TooManyRequests.

    Call it in a fresh unit of work (nothing else pending in the session). No override ever
    allows an overlap: a staff booking meets Outlook's and MyGov's bookings like any other.
    A citizen's request (`entry` None) counts against the caps of its address and client
    (`client_key`; a series once, in series.send) and lapses unless its address is confirmed
    (app/reservations/confirmation.py); a booking staff enter (`entry`) is exempt from both.
    """
    if entry is None and series is None:  # a series is checked once, before its dates (series.send)
        confirmation.check_limits(booking.requester_email, client_key, utcnow())
    return write_if_free(
        space, booking, lambda: _insert(space, booking, approved=not space.reservation_config.approval_required,
                                        entry=entry, series=series, client_key=client_key))


def write_if_free(space: FacilitySpace, booking: BookingRequest, write: Callable[[], Written], *,
                  moving: Reservation | None = None) -> Written:
    """Check the time is free in Exchange and in MyGov, then `write` and commit under the space's lock.

    `moving`: the reservation being moved; its own booking and Exchange event do not count.
    """
    config = space.reservation_config
    assert config is not None
    requested = Interval(booking.start_at, booking.end_at)
    setup, teardown = config.setup_minutes, config.teardown_minutes
    ignored = moving.id if moving else None
    # Ask Exchange first, outside the database lock: a slot booked in Outlook a moment ago is
    # refused. When Graph cannot answer, exchange_busy raises ExchangeUnavailable and the
    # citizen is asked to try again: a refusal is better than a double booking we could not see.
    outlook = exchange_busy(space, requested.start - timedelta(minutes=setup),
                            requested.end + timedelta(minutes=teardown), discount_ours=moving is not None)
    clash = first_conflict(requested, outlook, setup, teardown)
    if clash:
        # What MyGov wrote to the room shows in Exchange too: name it when MyGov knows it.
        raise SlotTaken(occupancy.why_taken(space, requested.start, requested.end, setup, teardown, ignored)
                        or occupancy.refusal(occupancy.OUTLOOK, "", inside=clash.overlaps(requested)))
    try:
        lock_space_for_booking(space.id)
        reason = occupancy.why_taken(space, requested.start, requested.end, setup, teardown, ignored)
        if reason:
            raise SlotTaken(reason)
        written = write()
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if "no_overlap" in str(error.orig):  # reservation_no_overlap, room_occupancy_no_overlap
            raise SlotTaken(occupancy.refusal(occupancy.RESERVATION, "", inside=True)) from None
        raise
    except SlotTaken:
        db.session.rollback()
        raise
    return written


def lock_space_for_booking(space_id: int) -> None:
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


def _insert(space: FacilitySpace, booking: BookingRequest, *, approved: bool, entry: StaffEntry | None = None,
            series: ReservationSeries | None = None, client_key: str | None = None) -> Reservation:
    citizen = entry is None
    reservation = Reservation(
        reference=new_reference(), space=space, requester_name=booking.requester_name,
        requester_email=booking.requester_email, requester_phone=booking.requester_phone,
        purpose=booking.purpose, attendees=booking.attendees, start_at=booking.start_at,
        end_at=booking.end_at, status="approved" if approved else "pending",
        manage_token=secrets.token_urlsafe(32), series=series,
        confirm_by=confirmation.deadline(utcnow()) if citizen else None, client_key=client_key if citizen else None,
    )
    db.session.add(reservation)
    db.session.flush()
    if entry is None:
        _history(reservation, "submitted", CITIZEN)
    else:
        _record_staff_entry(reservation, entry)
    if approved:
        _history(reservation, "approved", "MyGov", "This space needs no approval.")
        sharepoint.mirror_approved(reservation)
    record_operation(
        "create_event",
        target_type="reservation",
        target_id=reservation.id,
        payload=exchange.create_event_payload(reservation, idempotency_key(reservation, "create")),
        idempotency_key=idempotency_key(reservation, "create"),
    )
    if series is not None:  # a series' dates are told about together (series.py)
        pass
    elif reservation.confirm_by is not None:
        confirmation.ask_to_confirm(reservation)  # the receipt, and the approvers, once it is confirmed
    else:
        _tell_new(reservation)
    return reservation


def _tell_new(reservation: Reservation) -> None:
    notify(reservation, "reservation_approved" if reservation.status == "approved" else "reservation_received")
    if reservation.status == "pending":
        approvers.tell_about_new_request(reservation)


def confirm_address(reservation: Reservation) -> bool:
    """The citizen opened the link sent to their address: the request (every date of its series)
    stands, and its receipt goes out. False when there was nothing to confirm."""
    if reservation.email_confirmed_at is not None or reservation.confirm_by is None or not reservation.is_active:
        return False
    dates = [r for r in reservation.series.reservations if r.is_active] if reservation.series else [reservation]
    for each in dates:
        each.email_confirmed_at, each.confirm_by = utcnow(), None
    _tell_new(reservation)
    db.session.commit()
    return True


def release_unconfirmed() -> int:
    """Cancel every request whose address was not confirmed in time, and remove its hold from the
    room's Exchange calendar (outbox); the unconfirmed address gets no further email."""
    released = confirmation.lapsed(utcnow())
    for reservation in released:
        reservation.status = "cancelled"
        _history(reservation, "cancelled", "MyGov", "Released: the email address was not confirmed in time.")
        _remove_event(reservation)
    db.session.commit()
    return len(released)


def _record_staff_entry(reservation: Reservation, entry: StaffEntry) -> None:
    broken = "; ".join(entry.overridden.values())
    detail = f"Entered by staff for {reservation.requester_name}." + (
        f" Rules set aside: {broken} Reason: {entry.reason}" if entry.overridden else "")
    _history(reservation, "submitted", entry.staff.display_name, detail, actor=entry.staff)
    db.session.add(AuditEntry(
        actor_id=entry.staff.id, actor_label=entry.staff.display_name,
        action="reservation.rule_override" if entry.overridden else "reservation.staff_booking",
        target_type="reservation", target_id=str(reservation.id), before=None,
        after={"reference": reservation.reference, "rules_set_aside": list(entry.overridden.values()),
               "reason": entry.reason},
    ))


def idempotency_key(reservation: Reservation, action: str) -> str:
    return f"reservation-{reservation.reference}-{action}"


def approve(reservation: Reservation, staff: Employee) -> None:
    if not reservation.can_approve():
        raise NotAllowed()
    _decide(reservation, staff, "approved", reason=None)
    # The room's event says "Confirmed" from now on; it waits for its create if that has not run.
    record_operation(
        "update_event", target_type="reservation", target_id=reservation.id,
        payload=exchange.state_update_payload(reservation), idempotency_key=idempotency_key(reservation, "approve"),
    )
    sharepoint.mirror_approved(reservation)
    notify(reservation, "reservation_approved")
    db.session.commit()


def deny(reservation: Reservation, staff: Employee, reason: str) -> None:
    if not reservation.can_deny():
        raise NotAllowed()
    _decide(reservation, staff, "denied", reason=reason)
    _remove_event(reservation)
    notify(reservation, "reservation_denied")
    db.session.commit()


def cancel_by_staff(reservation: Reservation, staff: Employee, reason: str | None) -> None:
    if not reservation.can_cancel():
        raise NotAllowed()
    _decide(reservation, staff, "cancelled", reason=reason)
    _remove_event(reservation)
    notify(reservation, "reservation_cancelled", by_citizen=False)
    db.session.commit()


def check_citizen_may_change(reservation: Reservation) -> None:
    closes_at = reservation.citizen_changes_close_at()
    if closes_at is not None and utcnow() >= closes_at:
        config = reservation.space.reservation_config
        raise TooLateToChange(config.contact_for_changes if config else None)


def cancel_by_citizen(reservation: Reservation) -> None:
    if not reservation.can_cancel():
        raise NotAllowed()
    check_citizen_may_change(reservation)
    reservation.status = "cancelled"
    _history(reservation, "cancelled", CITIZEN)
    _remove_event(reservation)
    notify(reservation, "reservation_cancelled", by_citizen=True)
    db.session.commit()


def remind(reservation: Reservation) -> None:
    """The reminder email, once per booked time (a move clears `reminder_sent_at`)."""
    reservation.reminder_sent_at = utcnow()
    notify(reservation, "reservation_reminder")


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
    """Delete the blocking event (the worker waits for or supersedes a create not yet run) and its list item."""
    sharepoint.mirror_removed(reservation)
    record_operation(
        "delete_event",
        target_type="reservation",
        target_id=reservation.id,
        payload={"mailbox": reservation.space.exchange_resource_mailbox},
        idempotency_key=idempotency_key(reservation, "delete"),
    )


CONFIRMATIONS = ("reservation_approved", "reservation_moved")


def notify(reservation: Reservation, template: str, **extra: object) -> None:
    link = manage_url(reservation)
    links, attachments = confirmation_extras(reservation, link) if template in CONFIRMATIONS else ({}, None)
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
            "manage_url": link,
            **links,
            **extra,
        },
        related_type="reservation",
        related_id=reservation.id,
        attachments=attachments,
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
