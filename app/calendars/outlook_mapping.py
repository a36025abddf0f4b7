"""What an Outlook event becomes on the website: sanitised description, local times and zone,
location, category and an RRULE from Graph's patternedRecurrence (contract §6.1, §6.4)."""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nh3

from app.calendars.models import CalendarEvent
from app.calendars.services import EventInput
from app.graph.calendar import parse_graph_datetime
from app.web.text import html_to_text

# The safe subset an event description may keep: structure and links, nothing executable or styled.
SAFE_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote"}
SAFE_ATTRIBUTES = {"a": {"href"}}
SAFE_URL_SCHEMES = {"http", "https", "mailto", "tel"}
UNPUBLISHABLE_SENSITIVITY = ("private", "confidential")

# Outlook names zones the Windows way; the US ones (and UTC) are what a city's mailboxes use.
WINDOWS_TO_IANA = {
    "UTC": "UTC", "Coordinated Universal Time": "UTC", "tzone://Microsoft/Utc": "UTC",
    "Eastern Standard Time": "America/New_York", "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver", "US Mountain Standard Time": "America/Phoenix",
    "Pacific Standard Time": "America/Los_Angeles", "Alaskan Standard Time": "America/Anchorage",
    "Hawaiian Standard Time": "Pacific/Honolulu",
}
RRULE_DAYS = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR",
              "saturday": "SA", "sunday": "SU"}
RRULE_INDEX = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}


def sanitise_html(markup: str) -> str:
    """Outlook's HTML body reduced to the safe subset; script/style content and handlers are dropped."""
    cleaned = nh3.clean(markup or "", tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, url_schemes=SAFE_URL_SCHEMES,
                        link_rel="noopener noreferrer nofollow", strip_comments=True)
    return cleaned.strip()


def plain_text(markup: str) -> str:
    """An HTML description as text, for feeds."""
    return html_to_text(markup)


def description_text(event: CalendarEvent) -> str:
    return plain_text(event.description) if event.source == "outlook" else event.description


def description_of(body: dict[str, Any] | None) -> str:
    body = body or {}
    content = str(body.get("content") or "")
    if str(body.get("contentType", "html")).lower() == "text":
        paragraphs = [p.strip() for p in content.replace("\r\n", "\n").split("\n\n") if p.strip()]
        return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return sanitise_html(content)


def event_zone(outlook_event: dict[str, Any], fallback: str) -> str:
    """The IANA zone the event was written in; the calendar's zone when Outlook's is unknown to us."""
    name = outlook_event.get("originalStartTimeZone") or ""
    candidate = WINDOWS_TO_IANA.get(name, name)
    try:
        ZoneInfo(candidate)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback
    return candidate if candidate else fallback


def rrule_of(recurrence: dict[str, Any] | None) -> str:
    """Graph's patternedRecurrence as an RRULE; UNTIL is floating local time here, made UTC when saved."""
    if not recurrence:
        return ""
    pattern, date_range = recurrence.get("pattern") or {}, recurrence.get("range") or {}
    kind, interval = pattern.get("type"), int(pattern.get("interval") or 1)
    days = [RRULE_DAYS[d.lower()] for d in pattern.get("daysOfWeek") or [] if d.lower() in RRULE_DAYS]
    index = RRULE_INDEX.get(str(pattern.get("index") or "first"), 1)
    parts: list[str]
    if kind == "daily":
        parts = ["FREQ=DAILY"]
    elif kind == "weekly":
        first_day = RRULE_DAYS.get(str(pattern.get("firstDayOfWeek") or "sunday").lower(), "SU")
        parts = ["FREQ=WEEKLY", f"BYDAY={','.join(days)}", f"WKST={first_day}"]
    elif kind == "absoluteMonthly":
        parts = ["FREQ=MONTHLY", f"BYMONTHDAY={int(pattern['dayOfMonth'])}"]
    elif kind == "relativeMonthly":
        parts = ["FREQ=MONTHLY", *_relative_days(days, index)]
    elif kind == "absoluteYearly":
        parts = ["FREQ=YEARLY", f"BYMONTH={int(pattern['month'])}", f"BYMONTHDAY={int(pattern['dayOfMonth'])}"]
    elif kind == "relativeYearly":
        parts = ["FREQ=YEARLY", f"BYMONTH={int(pattern['month'])}", *_relative_days(days, index)]
    else:
        raise ValueError(f"unknown recurrence pattern {kind!r}")
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if date_range.get("type") == "numbered":
        parts.append(f"COUNT={int(date_range['numberOfOccurrences'])}")
    elif date_range.get("type") == "endDate":
        parts.append(f"UNTIL={date_range['endDate'].replace('-', '')}T235959")
    return ";".join(parts)


def _relative_days(days: list[str], index: int) -> list[str]:
    if len(days) == 1:
        return [f"BYDAY={index}{days[0]}"]
    return [f"BYDAY={','.join(days)}", f"BYSETPOS={index}"]


@dataclass(frozen=True)
class MappedEvent:
    """An Outlook event in MyGov's terms, ready for the calendars services."""

    data: EventInput
    time_zone: str
    change_key: str


def mapped_event(outlook_event: dict[str, Any], calendar_zone: str) -> MappedEvent:
    zone_name = event_zone(outlook_event, calendar_zone)
    zone = ZoneInfo(zone_name)
    start = parse_graph_datetime(outlook_event["start"]).astimezone(zone)
    end = parse_graph_datetime(outlook_event["end"]).astimezone(zone)
    categories = [c for c in outlook_event.get("categories") or [] if c]
    data = EventInput(
        title=str(outlook_event.get("subject") or ""),
        description=description_of(outlook_event.get("body")),
        all_day=bool(outlook_event.get("isAllDay")),
        location=str((outlook_event.get("location") or {}).get("displayName") or ""),
        category=categories[0] if categories else "",  # a MyGov event has one category: Outlook's first
        rrule=rrule_of(outlook_event.get("recurrence")),
    )
    if data.all_day:
        data.start_date = start.date().isoformat()
        data.end_date = (_local_midnight(end) - timedelta(days=1)).date().isoformat()
    else:
        data.start_date, data.start_time = start.date().isoformat(), start.strftime("%H:%M")
        data.end_date, data.end_time = end.date().isoformat(), end.strftime("%H:%M")
    return MappedEvent(data=data, time_zone=zone_name, change_key=str(outlook_event.get("changeKey") or ""))


def _local_midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def is_gone(outlook_event: dict[str, Any] | None) -> bool:
    """Deleted in Outlook (absent, or a cancelled meeting)."""
    return outlook_event is None or bool(outlook_event.get("isCancelled"))


def is_publishable(outlook_event: dict[str, Any]) -> bool:
    return str(outlook_event.get("sensitivity") or "normal").lower() not in UNPUBLISHABLE_SENSITIVITY
