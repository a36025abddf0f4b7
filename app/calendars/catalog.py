"""Which public calendars an address names, without asking the database on every page hit.

A calendar's own fields are kept as a CalendarSummary in Redis (app/web/lookups.py) under the
"calendars" catalog, which every commit touching a Calendar row retires (feed_version.py bumps it).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from app.calendars import queries
from app.calendars.models import Calendar
from app.web.lookups import remembered

CATALOG = "calendars"
COMBINED_SLUG = "all"  # reserved: no calendar may take it (forms.parse_calendar refuses it)


@dataclass(frozen=True)
class CalendarSummary:
    """What the public pages and feeds need of a calendar; events are read by its id."""

    id: int
    slug: str
    name: str
    description: str
    time_zone: str


def public_summaries(slug: str) -> list[CalendarSummary] | None:
    """The public calendar with this slug, or every public one for the combined slug; None if none."""
    found = remembered(CATALOG, slug, lambda: _load(slug))
    return None if found is None else [CalendarSummary(**fields) for fields in found]


def _load(slug: str) -> list[dict] | None:
    if slug == COMBINED_SLUG:
        return [_fields(calendar) for calendar in queries.public_calendars()]
    calendar = queries.public_calendar(slug)
    return None if calendar is None else [_fields(calendar)]


def _fields(calendar: Calendar) -> dict:
    return asdict(CalendarSummary(calendar.id, calendar.slug, calendar.name, calendar.description or "",
                                  calendar.time_zone))
