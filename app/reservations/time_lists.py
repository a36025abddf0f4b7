"""The start and end times the booking form offers for a chosen day: only those that fit.

A start fits when a reservation of the shortest length can begin then inside one of the day's free
stretches (free_periods already leaves out closed days and ranges, the lead time, everything that
occupies the room and its setup and teardown); an end fits when it is reachable from a fitting
start within the length limits. With a start chosen, only the ends that fit it.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.facilities.models import ReservationConfig
from app.reservations.availability import DayAvailability
from app.reservations.formatting import clock_time

Options = tuple[tuple[str, str], ...]


def fitting_times(config: ReservationConfig, day: DayAvailability, zone: ZoneInfo,
                  chosen_start: str | None) -> tuple[Options, Options]:
    step = timedelta(minutes=config.step_minutes)
    shortest, longest = timedelta(minutes=config.min_duration_minutes), timedelta(minutes=config.max_duration_minutes)
    starts: list[datetime] = []
    ends: set[datetime] = set()
    start_clock = _clock(chosen_start)
    for period in day.free if day.is_open else []:
        moment = period.start
        while moment + shortest <= period.end:
            starts.append(moment)
            if start_clock is None or moment.astimezone(zone).time() == start_clock:
                end = moment + shortest
                while end <= min(moment + longest, period.end):
                    ends.add(end)
                    end += step
            moment += step
    if start_clock is not None and not ends:  # a start that does not fit: the ends of every start that does
        return fitting_times(config, day, zone, None)
    return _options(starts, zone), _options(sorted(ends), zone)


def _clock(raw: str | None) -> time | None:
    try:
        return time.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _options(moments: list[datetime], zone: ZoneInfo) -> Options:
    local = [moment.astimezone(zone).time() for moment in moments]
    return tuple((clock.strftime("%H:%M"), clock_time(clock)) for clock in local)


def keeping(options: Options, chosen: str | None) -> Options:
    """The options plus the citizen's own answer when it is not among them: a refused form keeps it."""
    clock = _clock(chosen)
    if clock is None or any(value == chosen for value, _ in options):
        return options
    return tuple(sorted((*options, (clock.strftime("%H:%M"), clock_time(clock)))))
