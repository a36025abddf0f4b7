"""Expanding Graph `patternedRecurrence` into occurrence start times (what calendarView returns)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
INDEXES = {"first": 0, "second": 1, "third": 2, "fourth": 3}
PATTERN_TYPES = {"daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"}
RANGE_TYPES = {"endDate", "noEnd", "numbered"}


class InvalidRecurrence(ValueError):
    pass


def validate(recurrence: Any) -> None:
    if not isinstance(recurrence, dict):
        raise InvalidRecurrence("recurrence must be an object with pattern and range")
    pattern, range_ = recurrence.get("pattern") or {}, recurrence.get("range") or {}
    if pattern.get("type") not in PATTERN_TYPES:
        raise InvalidRecurrence(
            f"Cannot convert the literal '{pattern.get('type')}' to recurrencePatternType."
        )
    if range_.get("type") not in RANGE_TYPES:
        raise InvalidRecurrence(f"Cannot convert the literal '{range_.get('type')}' to recurrenceRangeType.")
    try:
        dt.date.fromisoformat(range_["startDate"])
        if range_["type"] == "endDate":
            dt.date.fromisoformat(range_["endDate"])
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidRecurrence("recurrence range needs startDate (and endDate for type endDate)") from error
    if range_["type"] == "numbered" and int(range_.get("numberOfOccurrences") or 0) < 1:
        raise InvalidRecurrence("numberOfOccurrences must be at least 1")
    if pattern["type"] in {"weekly", "relativeMonthly", "relativeYearly"} and not pattern.get("daysOfWeek"):
        raise InvalidRecurrence("daysOfWeek is required for this recurrence pattern")


def _months_between(first: dt.date, day: dt.date) -> int:
    return (day.year - first.year) * 12 + day.month - first.month


def _relative_match(pattern: dict[str, Any], day: dt.date) -> bool:
    if WEEKDAYS[day.weekday()] not in [d.lower() for d in pattern.get("daysOfWeek", [])]:
        return False
    index = pattern.get("index", "first")
    if index == "last":
        return day.day + 7 > calendar.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 == INDEXES.get(index, 0)


def _matches(pattern: dict[str, Any], first: dt.date, day: dt.date) -> bool:
    kind, interval = pattern["type"], max(int(pattern.get("interval") or 1), 1)
    if kind == "daily":
        return (day - first).days % interval == 0
    if kind == "weekly":
        first_day = WEEKDAYS.index(str(pattern.get("firstDayOfWeek") or "sunday").lower())
        week_start = first - dt.timedelta(days=(first.weekday() - first_day) % 7)
        in_week = ((day - week_start).days // 7) % interval == 0
        return in_week and WEEKDAYS[day.weekday()] in [d.lower() for d in pattern["daysOfWeek"]]
    if kind in {"absoluteMonthly", "relativeMonthly"}:
        if _months_between(first, day) % interval:
            return False
        if kind == "absoluteMonthly":
            return day.day == int(pattern.get("dayOfMonth") or first.day)
        return _relative_match(pattern, day)
    if (day.year - first.year) % interval or day.month != int(pattern.get("month") or first.month):
        return False
    if kind == "absoluteYearly":
        return day.day == int(pattern.get("dayOfMonth") or first.day)
    return _relative_match(pattern, day)


def occurrence_dates(recurrence: dict[str, Any], until: dt.date) -> list[dt.date]:
    """Dates of the series' occurrences from its start up to `until` (inclusive)."""
    pattern, range_ = recurrence["pattern"], recurrence["range"]
    first = dt.date.fromisoformat(range_["startDate"])
    last = until
    if range_["type"] == "endDate":
        last = min(last, dt.date.fromisoformat(range_["endDate"]))
    limit = int(range_.get("numberOfOccurrences") or 0) if range_["type"] == "numbered" else None
    dates: list[dt.date] = []
    day = first
    while day <= last and (limit is None or len(dates) < limit):
        if _matches(pattern, first, day):
            dates.append(day)
        day += dt.timedelta(days=1)
    return dates
