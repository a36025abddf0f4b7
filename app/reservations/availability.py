"""When a space is free: Exchange free/busy for the room merged with MyGov's active reservations.

Exchange is the source of truth (staff book rooms in Outlook), but a reservation submitted a
moment ago may not have reached Exchange yet, so MyGov's own active reservations count as busy
too. The space's buffer keeps that many minutes free around every booking, whoever made it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.facilities.models import FacilitySpace, ReservationConfig
from app.reservations import exchange, holds
from app.reservations.models import ACTIVE_STATUSES, Reservation
from app.reservations.rules import SLOT_MINUTES, earliest_start, is_open_on, local_instant


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def widened(self, minutes: int) -> Interval:
        margin = timedelta(minutes=minutes)
        return Interval(self.start - margin, self.end + margin)


@dataclass(frozen=True)
class DayAvailability:
    day: date
    is_open: bool
    free: list[Interval]


@dataclass(frozen=True)
class Availability:
    days: list[DayAvailability]
    # False when Exchange could not be asked: the free times then come from MyGov alone.
    exchange_checked: bool


def mygov_busy(space: FacilitySpace, start: datetime, end: datetime) -> list[Interval]:
    return mygov_busy_except(space, start, end, None)


def mygov_busy_except(space: FacilitySpace, start: datetime, end: datetime, reservation_id: int | None) -> list[Interval]:
    """MyGov's active bookings of the space, leaving out one reservation (the one being moved)."""
    query = select(Reservation.start_at, Reservation.end_at).where(
        Reservation.space_id == space.id,
        Reservation.status.in_(ACTIVE_STATUSES),
        Reservation.start_at < end,
        Reservation.end_at > start,
    )
    if reservation_id is not None:
        query = query.where(Reservation.id != reservation_id)
    rows = db.session.execute(query).all()
    return [Interval(row.start_at, row.end_at) for row in rows]


def exchange_busy(space: FacilitySpace, start: datetime, end: datetime, *, max_age: int = 0,
                  discount_ours: bool = False) -> list[Interval]:
    """Busy times in the room's Exchange calendar; raises exchange.ExchangeUnavailable.

    While the room holds a MyGov event that was moved or cancelled and the outbox has not caught
    up (or with `discount_ours`, for a move that may overlap its own old time), MyGov's events are
    left out by their Exchange ids (holds.py); MyGov's active reservations count from mygov_busy.
    """
    if not space.exchange_resource_mailbox:
        return []
    if discount_ours or holds.has_stale_holds(space):
        return [Interval(b.start, b.end) for b in holds.busy_without_our_events(space, start, end)]
    bookings = exchange.room_bookings(space.exchange_resource_mailbox, start, end, max_age=max_age)
    return [Interval(booking.start, booking.end) for booking in bookings]


def first_conflict(
    requested: Interval, busy: list[Interval], buffer_minutes: int
) -> Interval | None:
    for interval in busy:
        if interval.widened(buffer_minutes).overlaps(requested):
            return interval
    return None


def free_periods(
    config: ReservationConfig, day: date, busy: list[Interval], zone: ZoneInfo, now: datetime
) -> list[Interval]:
    """Free stretches of one day on the form's time grid, each long enough for a reservation."""
    if not is_open_on(config, day):
        return []
    opens = local_instant(day, config.open_time, zone)
    closes = local_instant(day, config.close_time, zone)
    cursor = max(opens, _on_grid(opens, earliest_start(config.lead_time_hours, now), up=True))
    periods: list[Interval] = []
    blocked = sorted((b.widened(config.buffer_minutes) for b in busy), key=lambda b: b.start)
    for block in [*blocked, Interval(closes, closes)]:
        if block.end <= cursor:
            continue
        period_end = _on_grid(opens, min(block.start, closes), up=False)
        if period_end - cursor >= timedelta(minutes=config.min_duration_minutes):
            periods.append(Interval(cursor, period_end))
        cursor = max(cursor, _on_grid(opens, block.end, up=True))
        if cursor >= closes:
            break
    return periods


def _on_grid(anchor: datetime, instant: datetime, *, up: bool) -> datetime:
    step = SLOT_MINUTES * 60
    offset = (instant - anchor).total_seconds()
    steps = -(-offset // step) if up else offset // step
    return anchor + timedelta(seconds=steps * step)


def space_availability(
    space: FacilitySpace, first_day: date, days: int, zone: ZoneInfo, now: datetime
) -> Availability:
    config = space.reservation_config
    assert config is not None
    start = datetime.combine(first_day, config.open_time, tzinfo=zone).astimezone(timezone.utc)
    last_day = first_day + timedelta(days=days - 1)
    end = datetime.combine(last_day, config.close_time, tzinfo=zone).astimezone(timezone.utc)
    margin = timedelta(minutes=config.buffer_minutes)
    busy = mygov_busy(space, start - margin, end + margin)
    try:
        max_age = int(current_app.config["FREEBUSY_CACHE_SECONDS"])
        busy += exchange_busy(space, start - margin, end + margin, max_age=max_age)
        checked = True
    except exchange.ExchangeUnavailable:
        checked = False
    calendar = [first_day + timedelta(days=n) for n in range(days)]
    return Availability(
        [DayAvailability(day, is_open_on(config, day), free_periods(config, day, busy, zone, now))
         for day in calendar],
        checked,
    )
