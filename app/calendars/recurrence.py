"""Expanding a stored repeat rule with dateutil.

MyGov expands a series in its own zone's wall-clock time (naive local starts), which keeps "every
Tuesday at 6 PM" at 6 PM across daylight saving. RFC 5545 wants UNTIL in UTC when DTSTART has a zone,
and dateutil refuses a UTC UNTIL beside a naive start, so UNTIL is turned into local time here, once.
"""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from icalendar import vRecur


def local_rule(rule_text: str, zone: ZoneInfo) -> str:
    """The rule with a UTC (or dated) UNTIL as naive local time in `zone`."""
    parts = vRecur.from_ical(rule_text.strip().removeprefix("RRULE:"))
    until = (parts.get("UNTIL") or [None])[0]
    if isinstance(until, datetime) and until.tzinfo is not None:
        parts["UNTIL"] = [until.astimezone(zone).replace(tzinfo=None)]
    elif isinstance(until, date) and not isinstance(until, datetime):
        parts["UNTIL"] = [datetime.combine(until, time.max.replace(microsecond=0))]
    return vRecur(parts).to_ical().decode()


def expand(rule_text: str, start: datetime, zone: ZoneInfo) -> rrule:
    """The series' naive local starts from `start` (naive, local)."""
    return rrulestr(local_rule(rule_text, zone), dtstart=start)  # type: ignore[return-value]
