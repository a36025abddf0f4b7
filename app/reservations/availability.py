"""When a space is free: Exchange free/busy for the room merged with what MyGov puts in the room.

Exchange is the source of truth (staff book rooms in Outlook), but what MyGov wrote a moment ago
(a reservation, an event published to the room) may not have reached Exchange yet, so everything
MyGov itself puts in the room (occupancy.conflicts) counts as busy too.
The space's setup and teardown times stay free before and after every booking, whoever made it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from app.facilities.closures import closed_days
from app.facilities.models import FacilitySpace, ReservationConfig
from app.jobs.polling import is_live
from app.reservations import exchange, holds, occupancy
from app.reservations.rules import earliest_start, is_open_on, local_instant


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
    closed_because: str | None = None  # a closure's reason (a holiday, repairs)


@dataclass(frozen=True)
class Availability:
    days: list[DayAvailability]
    # False when Exchange could not be asked: the free times then come from MyGov alone.
    exchange_checked: bool


def mygov_busy(space: FacilitySpace, start: datetime, end: datetime) -> list[Interval]:
    return mygov_busy_except(space, start, end, None)


def mygov_busy_except(space: FacilitySpace, start: datetime, end: datetime, reservation_id: int | None) -> list[Interval]:
    """Everything MyGov itself has put in the room (occupancy.conflicts), leaving out one reservation
    (the one being moved)."""
    return [Interval(o.start, o.end) for o in occupancy.conflicts(space, start, end, ignore_reservation=reservation_id)]


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
    requested: Interval, busy: list[Interval], setup_minutes: int, teardown_minutes: int | None = None,
) -> Interval | None:
    """The first busy interval inside the requested time plus its setup before and teardown after."""
    needed = Interval(requested.start - timedelta(minutes=setup_minutes),
                      requested.end + timedelta(minutes=setup_minutes if teardown_minutes is None else teardown_minutes))
    for interval in busy:
        if interval.overlaps(needed):
            return interval
    return None


def free_periods(
    config: ReservationConfig, day: date, busy: list[Interval], zone: ZoneInfo, now: datetime
) -> list[Interval]:
    """Free stretches of one day on the form's time grid, each long enough for a reservation.

    A free stretch leaves the setup time free after whatever comes before it and the teardown
    time before whatever comes after it.
    """
    periods: list[Interval] = []
    # Anything busy pushes a start `setup` later and an end `teardown` earlier.
    blocked = sorted((Interval(b.start - timedelta(minutes=config.teardown_minutes),
                               b.end + timedelta(minutes=config.setup_minutes)) for b in busy),
                     key=lambda b: b.start)
    for open_clock, close_clock in config.hours_on(day):
        opens = local_instant(day, open_clock, zone)
        closes = local_instant(day, close_clock, zone)
        step = config.step_minutes
        cursor = max(opens, _on_grid(opens, earliest_start(config.lead_time_hours, now), step, up=True))
        for block in [*blocked, Interval(closes, closes)]:
            if block.end <= cursor:
                continue
            period_end = _on_grid(opens, min(block.start, closes), step, up=False)
            if period_end - cursor >= timedelta(minutes=config.min_duration_minutes):
                periods.append(Interval(cursor, period_end))
            cursor = max(cursor, _on_grid(opens, block.end, step, up=True))
            if cursor >= closes:
                break
    return periods


def _on_grid(anchor: datetime, instant: datetime, step_minutes: int, *, up: bool) -> datetime:
    step = step_minutes * 60
    offset = (instant - anchor).total_seconds()
    steps = -(-offset // step) if up else offset // step
    return anchor + timedelta(seconds=steps * step)


def freebusy_max_age(mailbox: str | None) -> int:
    """Seconds a room's cached free/busy is reused: longer while Graph notifies MyGov of its changes."""
    live = bool(mailbox) and is_live("room_events", (mailbox or "").lower())
    return int(current_app.config["FREEBUSY_LIVE_CACHE_SECONDS" if live else "FREEBUSY_CACHE_SECONDS"])


def space_availability(
    space: FacilitySpace, first_day: date, days: int, zone: ZoneInfo, now: datetime
) -> Availability:
    config = space.reservation_config
    assert config is not None
    # open_time and close_time are the week's first opening and last closing (ReservationConfig).
    start = datetime.combine(first_day, config.open_time, tzinfo=zone).astimezone(timezone.utc)
    last_day = first_day + timedelta(days=days - 1)
    end = datetime.combine(last_day, config.close_time, tzinfo=zone).astimezone(timezone.utc)
    margin = timedelta(minutes=max(config.setup_minutes, config.teardown_minutes))
    busy = mygov_busy(space, start - margin, end + margin)
    try:
        max_age = freebusy_max_age(space.exchange_resource_mailbox)
        busy += exchange_busy(space, start - margin, end + margin, max_age=max_age)
        checked = True
    except exchange.ExchangeUnavailable:
        checked = False
    calendar = [first_day + timedelta(days=n) for n in range(days)]
    closures = dict(closed_days(space, first_day, calendar[-1]))
    return Availability(
        [DayAvailability(day, is_open_on(config, day) and day not in closures,
                         free_periods(config, day, busy, zone, now), closures.get(day))
         for day in calendar],
        checked,
    )
