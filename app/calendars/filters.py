"""Filters of the public list view, read from plain GET parameters so every view has a shareable URL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.calendars.queries import Occurrence

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class ListFilters:
    first: date
    last: date
    text: str = ""
    category: str = ""
    location: str = ""
    error: str = ""

    @classmethod
    def from_args(cls, args: Any, today: date, default_days: int) -> ListFilters:
        text = args.get("q", "").strip()[:100]
        category, location = args.get("category", "").strip()[:100], args.get("location", "").strip()[:100]
        first, last = _day(args.get("from")), _day(args.get("to"))
        error = ""
        if (args.get("from") and first is None) or (args.get("to") and last is None):
            error = "Enter dates as year-month-day, for example 2026-12-05."
        first = first or today
        last = last or first + timedelta(days=default_days)
        if last < first:
            error = (error + " " if error else "") + "The end date is before the start date: showing from the start on."
            last = first + timedelta(days=default_days)
        last = min(last, first + timedelta(days=MAX_RANGE_DAYS))
        return cls(first, last, text, category, location, error)

    def keep(self, occurrence: Occurrence) -> bool:
        event = occurrence.event
        if self.category and (event.category or "") != self.category:
            return False
        if self.location and self.location.lower() not in (event.location or "").lower():
            return False
        if self.text:
            haystack = f"{event.title} {event.description} {event.location}".lower()
            return all(word in haystack for word in self.text.lower().split())
        return True

    def as_args(self) -> dict[str, str]:
        return {"q": self.text, "category": self.category, "location": self.location,
                "from": self.first.isoformat(), "to": self.last.isoformat()}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
