"""Reading calendars for the public pages and feeds: which events, and their occurrences in a window."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule
from icalendar import vRecur
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.calendars.models import Calendar, CalendarEvent
from app.calendars.recurrence import expand
from app.calendars.repeat_limits import all_starts, starts_between
from app.extensions import db

if TYPE_CHECKING:
    from app.calendars.catalog import CalendarSummary

FEED_STATUSES = ("published", "cancelled")
# A cancelled event stays visible (with "Cancelled") until this long after its last day.
CANCELLED_GRACE = timedelta(days=1)


@dataclass(frozen=True)
class Occurrence:
    event: CalendarEvent
    start: datetime  # aware, in the calendar's zone (midnight for all-day)
    end: datetime
    all_day: bool
    cancelled: bool

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        """The last day it covers (an all-day end is exclusive; a timed end at midnight is the day before)."""
        return (self.end - timedelta(days=1)).date() if self.all_day else (self.end - timedelta(microseconds=1)).date()

    def days(self, first: date, last: date) -> list[date]:
        """Every day it covers between `first` and `last` (inclusive): a market or an overnight event is
        on each of its days, not only the first."""
        day, days = max(self.day, first), []
        while day <= min(self.last_day, last):
            days.append(day)
            day += timedelta(days=1)
        return days

    def day_number(self, day: date) -> tuple[int, int]:
        """(which day of the occurrence `day` is, how many days it covers)."""
        return (day - self.day).days + 1, (self.last_day - self.day).days + 1


def by_day(found: list[Occurrence], first: date, last: date) -> dict[date, list[Occurrence]]:
    """Occurrences under each day they cover in [first, last], days in order."""
    days: dict[date, list[Occurrence]] = {}
    for occurrence in found:
        for day in occurrence.days(first, last):
            days.setdefault(day, []).append(occurrence)
    return {day: sorted(items, key=lambda o: (o.day == day, o.start, o.event.title))  # going on first
            for day, items in sorted(days.items())}


def public_calendars() -> list[Calendar]:
    return list(db.session.scalars(select(Calendar).where(Calendar.is_public).order_by(Calendar.name)))


def public_calendar(slug: str) -> Calendar | None:
    return db.session.scalar(select(Calendar).where(Calendar.slug == slug, Calendar.is_public))


def feed_events(calendars: Sequence[CalendarSummary], today: date) -> tuple[list[CalendarEvent], date | None]:
    """Published and cancelled events, a cancelled one only until it is past (plus a day); and the
    last day a cancelled event left (the feed changed then, so Last-Modified must say so)."""
    events = db.session.scalars(
        select(CalendarEvent)
        .where(CalendarEvent.calendar_id.in_([c.id for c in calendars]), CalendarEvent.status.in_(FEED_STATUSES))
        .options(selectinload(CalendarEvent.overrides), selectinload(CalendarEvent.calendar),
                 selectinload(CalendarEvent.facility))
        .order_by(CalendarEvent.uid)
    )
    kept, last_drop = [], None
    for event in events:
        leaves = dropped_on(event)
        if leaves is not None and leaves <= today:
            last_drop = max(last_drop or leaves, leaves)
        else:
            kept.append(event)
    return kept, last_drop


def feed_version(calendars: Sequence[CalendarSummary]) -> tuple[datetime | None, int]:
    """When the feed's events last changed, and how many there are: a feed is rebuilt when either moves."""
    changed, count = db.session.execute(
        select(func.max(CalendarEvent.updated_at), func.count()).where(
            CalendarEvent.calendar_id.in_([c.id for c in calendars]), CalendarEvent.status.in_(FEED_STATUSES)
        )
    ).one()
    return changed, count


def dropped_on(event: CalendarEvent) -> date | None:
    """The day a cancelled event leaves the pages and feeds; None while it stays (not cancelled, or endless)."""
    if event.status != "cancelled":
        return None
    last_end = last_end_of(event)
    if last_end is None:
        return None
    last_day = last_end.date() if isinstance(last_end, datetime) else last_end
    return last_day + CANCELLED_GRACE + timedelta(days=1)


def last_end_of(event: CalendarEvent) -> datetime | date | None:
    """When the event (or its last occurrence) ends, in its zone; None for a series without end."""
    zone = ZoneInfo(event.time_zone)
    if event.all_day:
        start: datetime = datetime.combine(event.start_date, time.min)
        length = event.end_date - event.start_date
    else:
        start, length = event.start_at.astimezone(zone).replace(tzinfo=None), event.end_at - event.start_at
    if event.rrule:
        parts = vRecur.from_ical(event.rrule)
        if "COUNT" not in parts and "UNTIL" not in parts:
            return None
        occurrences = all_starts(_rule(event, start))
        start = occurrences[-1] if occurrences else start
    moved = [o.end_at.astimezone(zone).replace(tzinfo=None) for o in event.overrides]
    end = max([start + length, *moved])
    return end.date() if event.all_day else end


def _rule(event: CalendarEvent, start: datetime) -> rrule:
    return expand(event.rrule or "", start, ZoneInfo(event.time_zone))


def series_starts(event: CalendarEvent, around: datetime) -> set[datetime]:
    """The series' naive local starts within a day of `around` (to check that an occurrence exists)."""
    zone = ZoneInfo(event.time_zone)
    start = (datetime.combine(event.start_date, time.min) if event.all_day
             else event.start_at.astimezone(zone).replace(tzinfo=None))
    if not event.rrule:
        return {start}
    return set(starts_between(_rule(event, start), around - timedelta(days=1), around + timedelta(days=1)))


def occurrences(events: list[CalendarEvent], zone: ZoneInfo, first: date, last: date) -> list[Occurrence]:
    """Every occurrence on any day between `first` and `last` (inclusive): starting then, or begun
    before and still going on (a multi-day or overnight event); recurrences expanded."""
    found: list[Occurrence] = []
    window_start = datetime.combine(first, time.min, zone)
    window_end = datetime.combine(last + timedelta(days=1), time.min, zone)
    for event in events:
        found += _of(event, zone, window_start, window_end)
    return sorted(found, key=lambda o: (o.start, o.event.title))


def original_occurrences(event: CalendarEvent, first: date, last: date) -> list[Occurrence]:
    """The series as its rule makes it, before skips and moves (what staff pick occurrences from)."""
    zone = ZoneInfo(event.time_zone)
    window_start = datetime.combine(first, time.min, zone)
    window_end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return _of(event, zone, window_start, window_end, exceptions=False)


def _of(event: CalendarEvent, zone: ZoneInfo, window_start: datetime, window_end: datetime,
        exceptions: bool = True) -> list[Occurrence]:
    event_zone = ZoneInfo(event.time_zone)
    if event.all_day:
        start = datetime.combine(event.start_date, time.min, zone)
        length = timedelta(days=(event.end_date - event.start_date).days)
    else:
        start, length = event.start_at.astimezone(event_zone), event.end_at - event.start_at
    cancelled = event.status == "cancelled"
    moved = {o.recurrence_id: o for o in event.overrides} if exceptions else {}
    if not event.rrule:
        starts = [start] if start < window_end and start + length > window_start else []
    else:
        # Widen the window by the longest move so an occurrence moved into it is found.
        reach = max([abs(o.start_at - o.recurrence_id) for o in moved.values()], default=timedelta(0))
        rule = _rule(event, start.replace(tzinfo=None))
        # ... and by the event's length, so an occurrence begun before the window and still going is found.
        naive = starts_between(rule, (window_start - reach - length - timedelta(days=1)).astimezone(event_zone).replace(tzinfo=None),
                               (window_end + reach).astimezone(event_zone).replace(tzinfo=None))
        skipped = set(event.exdates or []) if exceptions else set()
        tz = zone if event.all_day else event_zone
        starts = [s.replace(tzinfo=tz) for s in naive if s.isoformat() not in skipped]
    result = []
    for occurrence_start in starts:
        override = moved.get(occurrence_start.astimezone(ZoneInfo("UTC")))
        if override is not None:
            begins, ends = override.start_at.astimezone(zone), override.end_at.astimezone(zone)
            if begins < window_end and ends > window_start:
                result.append(Occurrence(event, begins, ends, event.all_day, cancelled or override.cancelled))
            continue
        local = occurrence_start.astimezone(zone)
        # Aware arithmetic in one zone is wall-clock time: add the exact duration in UTC instead.
        end = (datetime.combine(local.date() + length, time.min, zone) if event.all_day
               else (local.astimezone(timezone.utc) + length).astimezone(zone))
        if local < window_end and end > window_start:
            result.append(Occurrence(event, local, end, event.all_day, cancelled))
    return result
