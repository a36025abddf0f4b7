"""What a public page or feed covers: one public calendar, or all of them combined (`/calendars/all/`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app

from app.calendars.catalog import COMBINED_SLUG, CalendarSummary, public_summaries
from app.web.templating import zone_label


@dataclass(frozen=True)
class Scope:
    slug: str
    name: str
    description: str
    calendars: list[CalendarSummary]
    calendar: CalendarSummary | None  # None for the combined view
    zone: ZoneInfo

    @property
    def today(self) -> date:
        return datetime.now(self.zone).date()

    @property
    def zone_label(self) -> str:
        """The time zone stated on every page, e.g. "America/Chicago time (CST or CDT)"."""
        return zone_label(self.zone)


def scope_for(slug: str) -> Scope:
    calendars = public_summaries(slug)
    if calendars is None:
        abort(404)
    if slug == COMBINED_SLUG:
        zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
        return Scope(slug, "All city calendars", "Events from every public calendar of the city.",
                     calendars, None, zone)
    calendar = calendars[0]
    return Scope(slug, calendar.name, calendar.description, calendars, calendar, ZoneInfo(calendar.time_zone))
