"""What a pending revision would change, field by field, in words a publisher reads."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.calendars.forms import Invalid, input_from_stored, parse_event
from app.calendars.models import CalendarEventRevision
from app.calendars.recurrence_words import describe_rule
from app.extensions import db
from app.facilities.models import Facility

LABELS = {
    "title": "Title", "description": "Description", "all_day": "All-day", "start_at": "Starts",
    "end_at": "Ends", "start_date": "First day", "end_date": "Last day", "rrule": "Repeats",
    "location": "Location", "facility_id": "Facility", "category": "Category", "image_url": "Image",
    "image_alt": "Image description", "registration_url": "Registration link",
}


@dataclass(frozen=True)
class Change:
    label: str
    now: str
    proposed: str


def changes(revision: CalendarEventRevision) -> tuple[list[Change], dict[str, str]]:
    """The fields the revision changes, and the problems applying it would meet (e.g. a facility gone)."""
    event = revision.event
    zone = ZoneInfo(event.time_zone)
    facilities = {f.id: f.name for f in db.session.scalars(select(Facility))}
    try:
        values = parse_event(input_from_stored(revision.proposed), zone, set(facilities))
    except Invalid as invalid:
        return [], invalid.errors
    found = []
    for name, label in LABELS.items():
        before, after = getattr(event, name), values.get(name)
        if before != after:
            found.append(Change(label, _words(name, before, zone, facilities), _words(name, after, zone, facilities)))
    return found, {}


def _words(name: str, value: object, zone: ZoneInfo, facilities: dict[int, str]) -> str:
    if value is None or value == "":
        return "Nothing"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%A, %B %-d, %Y at %-I:%M %p")
    if isinstance(value, date):
        shown = value - timedelta(days=1) if name == "end_date" else value  # stored end-exclusive
        return shown.strftime("%A, %B %-d, %Y")
    if name == "facility_id":
        return facilities.get(int(str(value)), "A facility no longer listed")
    if name == "rrule":
        return describe_rule(str(value), None, zone)
    return str(value)
