"""VTIMEZONE components that every client reads right: STANDARD and DAYLIGHT with yearly RRULEs.

icalendar can generate zones from tzdata, but as lists of RDATEs, which Outlook applies an hour
off; this builds the rule form (BYMONTH + BYDAY) from the zone's transitions in a given year.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """Each offset change in `year`, as the wall-clock time in the offset before it (RFC 5545)."""
    found: list[datetime] = []
    instant = datetime(year, 1, 1, tzinfo=timezone.utc)
    previous = instant.astimezone(zone).utcoffset()
    while instant.year == year:
        offset = instant.astimezone(zone).utcoffset()
        if offset != previous:
            low, high = instant - timedelta(hours=6), instant
            while high - low > timedelta(minutes=1):  # the exact minute of the change
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == previous:
                    low = middle
                else:
                    high = middle
            found.append((high + previous).replace(tzinfo=None, second=0, microsecond=0))
            previous = offset
        instant += timedelta(hours=6)
    return found


def _byday(moment: datetime) -> str:
    nth = (moment.day - 1) // 7 + 1
    last = (moment + timedelta(days=7)).month != moment.month
    return f"{-1 if last and nth >= 4 else nth}{WEEKDAYS[moment.weekday()]}"


@lru_cache(maxsize=64)
def vtimezone(tzid: str, year: int) -> Timezone:
    """Built once per zone and year; callers add it to their calendar and never change it."""
    zone = ZoneInfo(tzid)
    component = Timezone()
    component.add("tzid", tzid)
    transitions = _transitions(zone, year)
    if not transitions:
        offset = datetime(year, 1, 1, tzinfo=zone).utcoffset()
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", datetime(year, 1, 1, tzinfo=zone).tzname())
        component.add_component(standard)
        return component
    for wall in transitions:
        before = (datetime(wall.year, wall.month, wall.day, tzinfo=zone) - timedelta(days=1)).utcoffset()
        after = (datetime(wall.year, wall.month, wall.day, tzinfo=zone) + timedelta(days=1)).utcoffset()
        part = TimezoneDaylight() if after > before else TimezoneStandard()
        part.add("dtstart", wall.replace(year=1970, day=_first_matching_day(1970, wall)))
        part.add("rrule", vRecur({"FREQ": "YEARLY", "BYMONTH": wall.month, "BYDAY": _byday(wall)}))
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("tzname", (datetime(wall.year, wall.month, wall.day, tzinfo=zone) + timedelta(days=1)).tzname())
        component.add_component(part)
    return component


def _first_matching_day(year: int, wall: datetime) -> int:
    """The day in `year` that the same BYDAY rule names (DTSTART must be an occurrence of its RRULE)."""
    rule = _byday(wall)
    nth, weekday = int(rule[:-2]), WEEKDAYS.index(rule[-2:])
    days = [d for d in range(1, 32) if _valid(year, wall.month, d) and date(year, wall.month, d).weekday() == weekday]
    return days[nth - 1] if nth > 0 else days[-1]


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
