"""Reading calendars for the public pages and feeds: which events, and their occurrences in a window."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db

FEED_STATUSES = ("published", "cancelled")


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


def public_calendars() -> list[Calendar]:
    return list(db.session.scalars(select(Calendar).where(Calendar.is_public).order_by(Calendar.name)))


def public_calendar(slug: str) -> Calendar | None:
    return db.session.scalar(select(Calendar).where(Calendar.slug == slug, Calendar.is_public))


def feed_events(calendar: Calendar) -> list[CalendarEvent]:
    return list(db.session.scalars(
        select(CalendarEvent).where(CalendarEvent.calendar_id == calendar.id, CalendarEvent.status.in_(FEED_STATUSES))
        .options(selectinload(CalendarEvent.overrides)).order_by(CalendarEvent.uid)
    ))


def feed_version(calendar: Calendar) -> tuple[datetime | None, int]:
    """When the feed's events last changed, and how many there are: a feed is rebuilt when either moves."""
    changed, count = db.session.execute(
        select(func.max(CalendarEvent.updated_at), func.count()).where(
            CalendarEvent.calendar_id == calendar.id, CalendarEvent.status.in_(FEED_STATUSES)
        )
    ).one()
    return changed, count


def occurrences(events: list[CalendarEvent], zone: ZoneInfo, first: date, last: date) -> list[Occurrence]:
    """Every occurrence starting between `first` and `last` (inclusive), recurrences expanded."""
    found: list[Occurrence] = []
    window_start = datetime.combine(first, time.min, zone)
    window_end = datetime.combine(last + timedelta(days=1), time.min, zone)
    for event in events:
        found += _of(event, zone, window_start, window_end)
    return sorted(found, key=lambda o: (o.start, o.event.title))


def _of(event: CalendarEvent, zone: ZoneInfo, window_start: datetime, window_end: datetime) -> list[Occurrence]:
    event_zone = ZoneInfo(event.time_zone)
    if event.all_day:
        start = datetime.combine(event.start_date, time.min, zone)
        length = timedelta(days=(event.end_date - event.start_date).days)
    else:
        start, length = event.start_at.astimezone(event_zone), event.end_at - event.start_at
    cancelled = event.status == "cancelled"
    if not event.rrule:
        starts = [start] if window_start <= start < window_end else []
    else:
        rule = rrulestr(event.rrule, dtstart=start.replace(tzinfo=None))
        naive = rule.between(window_start.astimezone(event_zone).replace(tzinfo=None),
                             window_end.astimezone(event_zone).replace(tzinfo=None), inc=True)
        skipped = set(event.exdates or [])
        starts = [s.replace(tzinfo=event_zone) for s in naive if s.isoformat() not in skipped
                  and s.replace(tzinfo=event_zone).isoformat() not in skipped]
    moved = {o.recurrence_id: o for o in event.overrides}
    result = []
    for occurrence_start in starts:
        override = moved.get(occurrence_start.astimezone(ZoneInfo("UTC")))
        if override is not None:
            result.append(Occurrence(event, override.start_at.astimezone(zone), override.end_at.astimezone(zone),
                                     event.all_day, cancelled or override.cancelled))
        else:
            local = occurrence_start.astimezone(zone)
            result.append(Occurrence(event, local, local + length, event.all_day, cancelled))
    return result
