"""What the staff screens show about reservations: the queue, Exchange sync state, other
bookings of the room that day, emails, and the full history."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.facilities.models import Facility, FacilitySpace
from app.jobs.models import GraphOperation
from app.mail.models import EmailMessage
from app.reservations import exchange, holds
from app.reservations.models import ACTIVE_STATUSES, Reservation

HISTORY_TITLES = {
    "submitted": "Submitted",
    "event_written": "Blocking event written to the room's Exchange calendar",
    "event_removed": "Event removed from the room's Exchange calendar",
    "sync_failed": "Exchange did not accept the change",
    "approved": "Approved",
    "denied": "Denied",
    "cancelled": "Cancelled",
    "moved": "Moved",
}


def pending_queue(facility_id: int | None, space_id: int | None) -> list[Reservation]:
    query = (
        select(Reservation)
        .join(FacilitySpace)
        .join(Facility)
        .where(Reservation.status == "pending")
        .options(joinedload(Reservation.space).joinedload(FacilitySpace.facility))
        .order_by(Facility.name, FacilitySpace.name, Reservation.start_at)
    )
    if facility_id:
        query = query.where(FacilitySpace.facility_id == facility_id)
    if space_id:
        query = query.where(Reservation.space_id == space_id)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class SyncState:
    label: str
    problem: bool = False
    error: str | None = None


def sync_states(reservation_ids: list[int]) -> dict[int, SyncState]:
    """Where each reservation's blocking event stands in Exchange, from its outbox operations."""
    operations = db.session.scalars(
        select(GraphOperation)
        .where(
            GraphOperation.target_type == "reservation",
            GraphOperation.target_id.in_([str(i) for i in reservation_ids]),
        )
        .order_by(GraphOperation.id)
    )
    latest: dict[int, dict[str, GraphOperation]] = defaultdict(dict)
    for operation in operations:
        latest[int(operation.target_id)][operation.kind] = operation
    return {rid: _state(latest[rid].get("create_event"), latest[rid].get("delete_event"))
            for rid in reservation_ids}


def _state(create: GraphOperation | None, delete: GraphOperation | None) -> SyncState:
    # A move to another room removes the event from one mailbox, then creates it in the other.
    if delete is not None and (create is None or delete.id > create.id):
        return _described(delete, "Removed from Exchange", "Being removed from Exchange",
                          "Removing from Exchange failed")
    if create is None:
        return SyncState("Not in Exchange", problem=True)
    return _described(create, "In Exchange", "Being written to Exchange",
                      "Writing to Exchange failed")


def _described(operation: GraphOperation, done: str, waiting: str, dead: str) -> SyncState:
    error = operation.last_error_code or operation.last_error_message
    if operation.status in ("done", "superseded"):
        return SyncState(done)
    if operation.status == "dead":
        return SyncState(dead, problem=True, error=error)
    if operation.status == "failed":
        return SyncState(f"{waiting} (retrying)", error=error)
    return SyncState(waiting)


@dataclass(frozen=True)
class Booking:
    start: datetime
    end: datetime
    label: str
    reservation: Reservation | None = None


@dataclass(frozen=True)
class DayBookings:
    bookings: list[Booking]
    exchange_checked: bool


def bookings_that_day(reservations: list[Reservation], zone: ZoneInfo) -> dict[int, DayBookings]:
    """For each reservation, the room's other bookings on its local day: MyGov's and Outlook's."""
    by_space: dict[int, list[Reservation]] = defaultdict(list)
    for reservation in reservations:
        by_space[reservation.space_id].append(reservation)
    result: dict[int, DayBookings] = {}
    for group in by_space.values():
        days = {r.id: _local_day(r, zone) for r in group}
        start, end = min(d[0] for d in days.values()), max(d[1] for d in days.values())
        ours = db.session.scalars(
            select(Reservation).where(
                Reservation.space_id == group[0].space_id,
                Reservation.status.in_(ACTIVE_STATUSES),
                Reservation.start_at < end, Reservation.end_at > start,
            )
        ).all()
        outlook, checked = _outlook_bookings(group[0].space, start, end)
        for reservation in group:
            day_start, day_end = days[reservation.id]
            others = [
                Booking(r.start_at, r.end_at, f"MyGov {r.reference}: {r.requester_name}", r)
                for r in ours if r.id != reservation.id
            ] + outlook
            result[reservation.id] = DayBookings(
                sorted((b for b in others if b.start < day_end and b.end > day_start),
                       key=lambda b: b.start),
                checked,
            )
    return result


def _local_day(reservation: Reservation, zone: ZoneInfo) -> tuple[datetime, datetime]:
    day = reservation.start_at.astimezone(zone).date()
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def _outlook_bookings(space: FacilitySpace, start: datetime, end: datetime) -> tuple[list[Booking], bool]:
    """Busy times in Exchange that are not MyGov's own events (known by event id, not by time)."""
    if not space.exchange_resource_mailbox:
        return [], True
    try:
        items = holds.busy_without_our_events(space, start, end)
    except exchange.ExchangeUnavailable:
        return [], False
    return [Booking(item.start, item.end, item.subject or "Busy (booked in Outlook)") for item in items], True


def emails_about(reservation_ids: list[int]) -> dict[int, list[EmailMessage]]:
    rows = db.session.scalars(
        select(EmailMessage)
        .where(
            EmailMessage.related_type == "reservation",
            EmailMessage.related_id.in_([str(i) for i in reservation_ids]),
        )
        .order_by(EmailMessage.id)
    )
    emails: dict[int, list[EmailMessage]] = defaultdict(list)
    for row in rows:
        emails[int(row.related_id)].append(row)
    return emails


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    title: str
    actor: str
    detail: str | None = None


def history(reservation: Reservation, emails: list[EmailMessage]) -> list[HistoryEntry]:
    """The reservation's own events merged with what happened to the emails about it."""
    entries = [
        HistoryEntry(event.at, HISTORY_TITLES[event.kind], event.actor_label, event.detail)
        for event in reservation.history
    ]
    for email in emails:
        if email.sent_at:
            entries.append(HistoryEntry(email.sent_at, f"Emailed: {email.subject}", "MyGov"))
        if email.bounced_at:
            # Exchange stamps reports to the second, on its own clock: a bounce never precedes its send.
            at = max(email.bounced_at, email.sent_at or email.bounced_at)
            entries.append(HistoryEntry(at, f"Email bounced: {email.subject}", "MyGov", email.bounce_detail))
    return sorted(entries, key=lambda entry: entry.at)
