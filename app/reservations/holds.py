"""MyGov's own events in room calendars ("holds"), known by Exchange event id.

Each reservation records the event the worker wrote and the mailbox it lives in. Free/busy from
Exchange is discounted by these ids, never by matching times: an Outlook booking at the same time
as a reservation stays busy, while a reservation just moved or cancelled frees its old time at
once, before the outbox has moved or removed the event. MyGov's active reservations are counted
from the database at their current time (availability.mygov_busy).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, cast, func, or_, select

from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db
from app.facilities.models import CLOSURE_OUTBOX_TARGET, FacilitySpace
from app.jobs.models import GraphOperation
from app.reservations import exchange
from app.reservations.models import ACTIVE_STATUSES, Reservation

WAITING = ("pending", "running", "failed")


def event_ids_in(mailbox: str) -> set[str]:
    return set(db.session.scalars(
        select(Reservation.exchange_event_id).where(
            Reservation.exchange_mailbox == mailbox, Reservation.exchange_event_id.is_not(None))
    ))


def mygov_event_ids_in(mailbox: str) -> set[str]:
    """Every event MyGov wrote to this mailbox: reservations, events published to it, closures."""
    published = db.session.scalars(select(CalendarEvent.exchange_event_id).join(Calendar).where(
        func.lower(Calendar.exchange_calendar_address) == mailbox.lower(), CalendarEvent.exchange_event_id.is_not(None)))
    closures = db.session.scalars(select(GraphOperation).where(
        GraphOperation.target_type == CLOSURE_OUTBOX_TARGET, GraphOperation.kind == "create_event",
        GraphOperation.status == "done"))
    closure_ids = {(op.result or {}).get("event_id") for op in closures
                   if str(op.payload.get("mailbox", "")).lower() == mailbox.lower()}
    return event_ids_in(mailbox) | set(published) | {i for i in closure_ids if i}


def has_stale_holds(space: FacilitySpace) -> bool:
    """Does the room's calendar hold a MyGov event that no longer stands where Exchange has it?

    Cancelled or denied (removal not yet run), moved to another room, or moved in this room with
    the update not yet run. Usually false: then the cached getSchedule answer is right as it is.
    """
    mailbox = space.exchange_resource_mailbox
    # Compared as text: other targets' ids are not numbers, and a cast could be tried on them first.
    pending_moves = select(GraphOperation.target_id).where(
        GraphOperation.target_type == "reservation", GraphOperation.kind == "update_event",
        GraphOperation.status.in_(WAITING))
    return db.session.scalar(
        select(Reservation.id).where(
            Reservation.exchange_mailbox == mailbox, Reservation.exchange_event_id.is_not(None),
            or_(Reservation.status.not_in(ACTIVE_STATUSES), Reservation.space_id != space.id,
                cast(Reservation.id, String).in_(pending_moves)),
        ).limit(1)
    ) is not None


def busy_without_our_events(space: FacilitySpace, start: datetime, end: datetime) -> list[exchange.ExchangeBooking]:
    """Exchange busy time that is not MyGov's (fresh calendarView, by id); raises ExchangeUnavailable."""
    mailbox = space.exchange_resource_mailbox
    if not mailbox:
        return []
    ours = event_ids_in(mailbox)
    return [event for event in exchange.room_events(mailbox, start, end) if event.event_id not in ours]
