"""A recurring Outlook series' changed and deleted occurrences, as the website's date overrides.

calendarView returns a series as occurrences and exceptions; an occurrence deleted in Outlook is
simply absent. Comparing them with the RRULE's own dates gives the moved dates (an override) and
the removed ones (a cancelled override: the public page says "Cancelled", nothing vanishes silently).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from app.calendars.models import CalendarEvent, CalendarEventOverride, OutlookImportSource
from app.calendars.outlook_mapping import MappedEvent
from app.calendars.recurrence import expand
from app.calendars.repeat_limits import starts_between
from app.graph.calendar import calendar_view, parse_graph_datetime
from app.graph.client import GraphClient

# How far ahead a series' occurrences are read when it is published or its change applied.
SERIES_REACH = timedelta(days=366)


@dataclass(frozen=True)
class DateChange:
    recurrence_id: datetime  # the occurrence's original start, UTC
    start_at: datetime
    end_at: datetime
    cancelled: bool = False
    title: str | None = None
    location: str | None = None

    def describe(self, zone: ZoneInfo) -> str:
        day = self.recurrence_id.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        if self.cancelled:
            return f"{day} cancelled"
        moved = f"{self.start_at.astimezone(zone):%Y-%m-%d %H:%M} to {self.end_at.astimezone(zone):%H:%M}"
        extra = "".join(f", {label} “{value}”" for label, value in (("title", self.title), ("place", self.location))
                        if value)
        return f"{day} moved to {moved}{extra}"


def outlook_date_changes(graph: GraphClient, source: OutlookImportSource, master: dict[str, Any],
                         mapped: MappedEvent) -> list[DateChange]:
    """The series' exceptions and deleted occurrences within SERIES_REACH of its start."""
    if not mapped.data.rrule or mapped.data.all_day:
        return []  # all-day series keep their pattern only (overrides are timed)
    zone = ZoneInfo(mapped.time_zone)
    first = parse_graph_datetime(master["start"])
    length = parse_graph_datetime(master["end"]) - first
    until = first + SERIES_REACH
    seen: dict[datetime, dict[str, Any]] = {}
    for entry in calendar_view(graph, source.mailbox, first, until, calendar_id=source.outlook_calendar_id):
        if entry.get("seriesMasterId") == master["id"]:
            seen[_original_start(entry)] = entry
    rule = expand(mapped.data.rrule, first.astimezone(zone).replace(tzinfo=None), zone)
    expected = [s.replace(tzinfo=zone).astimezone(timezone.utc) for s in
                starts_between(rule, first.astimezone(zone).replace(tzinfo=None),
                               until.astimezone(zone).replace(tzinfo=None))]
    changes = []
    for original in expected:
        entry = seen.get(original)
        if entry is None:
            changes.append(DateChange(original, original, original + length, cancelled=True))
        elif entry.get("type") == "exception":
            subject = entry.get("subject") or ""
            place = (entry.get("location") or {}).get("displayName") or ""
            changes.append(DateChange(original, parse_graph_datetime(entry["start"]), parse_graph_datetime(entry["end"]),
                                      title=subject if subject != master.get("subject") else None,
                                      location=place if place != mapped.data.location else None))
    return changes


def _original_start(entry: dict[str, Any]) -> datetime:
    text = entry.get("originalStart")
    if not text:
        return parse_graph_datetime(entry["start"])
    return parse_graph_datetime({"dateTime": text.rstrip("Z").split("+")[0], "timeZone": "UTC"})


def website_date_changes(event: CalendarEvent) -> list[DateChange]:
    return [DateChange(o.recurrence_id, o.start_at, o.end_at, o.cancelled, o.title, o.location)
            for o in event.overrides]


def replace_date_changes(event: CalendarEvent, changes: list[DateChange]) -> bool:
    """Make the event's overrides these; True when that changed anything."""
    if sorted(website_date_changes(event), key=_key) == sorted(changes, key=_key):
        return False
    wanted = {c.recurrence_id: c for c in changes}
    for override in list(event.overrides):  # kept rows are updated in place: (event, recurrence_id) is unique
        if override.recurrence_id not in wanted:
            event.overrides.remove(override)
    existing = {o.recurrence_id: o for o in event.overrides}
    for recurrence_id, change in wanted.items():
        override = existing.get(recurrence_id)
        if override is None:
            override = CalendarEventOverride(recurrence_id=recurrence_id)
            event.overrides.append(override)
        override.start_at, override.end_at, override.cancelled = change.start_at, change.end_at, change.cancelled
        override.title, override.location = change.title, change.location
    return True


def describe_all(changes: list[DateChange], zone_name: str) -> str:
    zone = ZoneInfo(zone_name)
    return "; ".join(c.describe(zone) for c in sorted(changes, key=_key)) or "None"


def _key(change: DateChange) -> datetime:
    return change.recurrence_id
