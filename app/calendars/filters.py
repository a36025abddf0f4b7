"""Filters of the public list view, read from plain GET parameters so every view has a shareable URL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

from app.calendars.models import CalendarEvent
from app.calendars.queries import Occurrence
from app.web.params import BadDate, parse_date_param

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class ListFilters:
    first: date
    last: date
    text: str = ""
    category: str = ""
    location: str = ""
    error: str = ""
    dated: bool = False  # the range was asked for (not today's default window)
    calendars: tuple[str, ...] = ()  # the combined view: slugs to show (none = all)

    PARAMS: ClassVar[tuple[str, ...]] = ("q", "category", "location", "from", "to", "calendar")  # what it reads

    @classmethod
    def from_args(cls, args: Any, today: date, default_days: int) -> ListFilters:
        text = args.get("q", "").strip()[:100]
        category, location = args.get("category", "").strip()[:100], args.get("location", "").strip()[:100]
        first, first_error = _day(args.get("from"), today)
        last, last_error = _day(args.get("to"), today)
        error = first_error or last_error
        first = first or today
        last = last or first + timedelta(days=default_days)
        if last < first:
            error = (error + " " if error else "") + "The end date is before the start date: showing from the start on."
            last = first + timedelta(days=default_days)
        last = min(last, first + timedelta(days=MAX_RANGE_DAYS))
        dated = bool(args.get("from") or args.get("to")) and not error
        chosen = tuple(sorted({slug.strip()[:100] for slug in args.getlist("calendar") if slug.strip()}))
        return cls(first, last, text, category, location, error, dated, chosen)

    def keep(self, occurrence: Occurrence) -> bool:
        return self.keep_event(occurrence.event)

    def keep_event(self, event: CalendarEvent) -> bool:
        """Every filter but the dates is about the event, so a page and its feed keep the same events."""
        if self.calendars and event.calendar.slug not in self.calendars:
            return False
        if self.category and (event.category or "") != self.category:
            return False
        place = f"{event.location} {event.facility.name if event.facility else ''}".lower()
        if self.location and self.location.lower() not in place:
            return False
        if self.text:
            haystack = f"{event.title} {event.description} {event.location}".lower()
            return all(word in haystack for word in self.text.lower().split())
        return True

    def feed_args(self) -> dict[str, str | list[str]]:
        """The query string of the feed of this view: the filters set, never the dates. A subscription
        pinned to the page's window would never gain a later event."""
        args: dict[str, str | list[str]] = {
            name: value for name, value in (("q", self.text), ("category", self.category), ("location", self.location))
            if value}
        if self.calendars:
            args["calendar"] = list(self.calendars)
        return args

    @property
    def filtered(self) -> bool:
        return bool(self.feed_args())


def _day(value: str | None, today: date) -> tuple[date | None, str]:
    """The date a parameter names, or None and why not (unreadable, or outside the window of dates)."""
    try:
        return parse_date_param(value, today), ""
    except BadDate as refused:
        return None, str(refused)
