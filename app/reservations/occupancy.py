"""What occupies a room: everything MyGov writes to the room's mailbox.

An occurrence blocks a room exactly when MyGov writes it to that room's Exchange calendar: active
reservations, every occurrence of an event published on a calendar whose Exchange address is the
room's mailbox, and closures. `conflicts(space, start, end)` is the one question the booking form,
the overlap check and the booking desk grid ask.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.calendars.models import Calendar, CalendarEvent
from app.calendars.queries import occurrences
from app.extensions import db
from app.facilities.closures import closures_of
from app.facilities.models import FacilitySpace
from app.reservations.models import ACTIVE_STATUSES, Reservation

RESERVATION = "reservation"
EVENT = "event"
CLOSURE = "closure"
UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Occupant:
    """One stretch of time the room is taken, and by what (said the way staff would say it)."""

    kind: str  # RESERVATION | EVENT | CLOSURE
    start: datetime  # aware, UTC
    end: datetime
    label: str
    source_id: int

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


def conflicts(
    space: FacilitySpace, start: datetime, end: datetime, *, ignore_reservation: int | None = None,
) -> list[Occupant]:
    """Everything MyGov has put in this room that overlaps [start, end), earliest first."""
    found = (_reservations(space, start, end, ignore_reservation) + published_events(space, start, end)
             + closed(space, start, end))
    return sorted(found, key=lambda occupant: (occupant.start, occupant.kind))


def _reservations(
    space: FacilitySpace, start: datetime, end: datetime, ignore: int | None
) -> list[Occupant]:
    query = select(Reservation.id, Reservation.reference, Reservation.start_at, Reservation.end_at).where(
        Reservation.space_id == space.id,
        Reservation.status.in_(ACTIVE_STATUSES),
        Reservation.start_at < end,
        Reservation.end_at > start,
    )
    if ignore is not None:
        query = query.where(Reservation.id != ignore)
    return [Occupant(RESERVATION, row.start_at, row.end_at, f"Reservation {row.reference}", row.id)
            for row in db.session.execute(query)]


def room_calendar_ids(space: FacilitySpace) -> list[int]:
    """The calendars MyGov writes to this room's mailbox."""
    if not space.exchange_resource_mailbox:
        return []
    return list(db.session.scalars(select(Calendar.id).where(
        func.lower(Calendar.exchange_calendar_address) == space.exchange_resource_mailbox.lower())))


def published_events(space: FacilitySpace, start: datetime, end: datetime) -> list[Occupant]:
    """Occurrences of events published to the room's mailbox that overlap [start, end)."""
    calendar_ids = room_calendar_ids(space)
    if not calendar_ids:
        return []
    # An occurrence may start up to a day before the window and still reach into it (all-day events
    # are a local day; a timed one that long is rare), so look one day wider and filter exactly.
    reach = timedelta(days=1)
    events = list(db.session.scalars(
        select(CalendarEvent)
        .where(
            CalendarEvent.calendar_id.in_(calendar_ids),
            CalendarEvent.status == "published",
            or_(
                CalendarEvent.rrule.is_not(None),
                and_(CalendarEvent.start_at < end, CalendarEvent.end_at > start - reach),
                and_(CalendarEvent.start_date <= end.astimezone(UTC).date() + reach,
                     CalendarEvent.end_date >= start.astimezone(UTC).date() - reach),
            ),
        )
        .options(selectinload(CalendarEvent.overrides))
    ))
    found = []
    for event in events:  # all-day events cover local days: expand each in its own zone
        zone = ZoneInfo(event.time_zone)
        found += occurrences([event], zone, (start - reach).astimezone(zone).date(), end.astimezone(zone).date())
    return [
        Occupant(EVENT, o.start.astimezone(UTC), o.end.astimezone(UTC), o.event.title, o.event.id)
        for o in found
        if not o.cancelled and o.start.astimezone(UTC) < end and start < o.end.astimezone(UTC)
    ]


OUTLOOK = "outlook"


def closed(space: FacilitySpace, start: datetime, end: datetime) -> list[Occupant]:
    """Each closed day of the space (its own closures, its facility's, the city's holidays) in [start, end)."""
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    found = []
    for closure in closures_of(space, first, last):
        for day in closure.days(first, last):
            opens = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
            ends = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
            if opens < end and start < ends:
                found.append(Occupant(CLOSURE, opens, ends, closure.reason, closure.id))
    return found


def refusal(kind: str, label: str, *, inside: bool) -> str:
    """Why a requested time cannot be had, for the citizen who asked: the real reason."""
    if not inside:
        return ("That time is too close to another booking: the room needs time to set up before each "
                "booking and to clear up after it. Choose another time.")
    if kind == EVENT:
        return f"The room is in use for “{label}” at that time. Choose another time."
    if kind == CLOSURE:
        return f"The room is closed at that time ({label}). Choose another day."
    if kind == OUTLOOK:
        return "The room is booked in Outlook at that time. Choose another time."
    return "That time is already reserved. Choose another time."


def why_taken(space: FacilitySpace, start: datetime, end: datetime, setup_minutes: int = 0,
              teardown_minutes: int = 0, ignore_reservation: int | None = None) -> str | None:
    """The refusal for [start, end) if MyGov itself has something in the way (setup/teardown included);
    `ignore_reservation`: the one being moved."""
    found = conflicts(space, start - timedelta(minutes=setup_minutes), end + timedelta(minutes=teardown_minutes),
                      ignore_reservation=ignore_reservation)
    if not found:
        return None
    inside = [o for o in found if o.overlaps(start, end)]
    first = (inside or found)[0]
    return refusal(first.kind, first.label, inside=bool(inside))
