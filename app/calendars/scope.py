"""What a public page or feed covers: one public calendar, or all of them combined (`/calendars/all/`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app

from app.calendars import queries
from app.calendars.models import Calendar

COMBINED_SLUG = "all"  # reserved: no calendar may take it (forms.parse_calendar refuses it)


@dataclass(frozen=True)
class Scope:
    slug: str
    name: str
    description: str
    calendars: list[Calendar]
    calendar: Calendar | None  # None for the combined view
    zone: ZoneInfo

    @property
    def today(self) -> date:
        return datetime.now(self.zone).date()

    @property
    def zone_label(self) -> str:
        """The time zone stated on every page, e.g. "America/Chicago time (CST)"."""
        return f"{self.zone.key.replace('_', ' ')} time ({datetime.now(self.zone).tzname()})"


def scope_for(slug: str) -> Scope:
    if slug == COMBINED_SLUG:
        calendars = queries.public_calendars()
        zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
        return Scope(slug, "All city calendars", "Events from every public calendar of the city.",
                     calendars, None, zone)
    calendar = queries.public_calendar(slug) or abort(404)
    return Scope(slug, calendar.name, calendar.description or "", [calendar], calendar, ZoneInfo(calendar.time_zone))
