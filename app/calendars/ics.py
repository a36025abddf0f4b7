"""ICS feeds that Outlook, Google, Apple and Thunderbird all read right (see docs/calendar-feeds.md).

Deterministic output for stable ETags: DTSTAMP is the event's last change, never the request time,
and events come in a fixed order. Timed events carry TZID with a rule-based VTIMEZONE; all-day
events are DATE values; cancelled events stay with STATUS:CANCELLED, a "Cancelled: " summary (Outlook
ignores STATUS) and their bumped SEQUENCE.

Events are written as content lines here rather than through python icalendar's object model,
which took ~8 s for a 5,000-event calendar (bench/ics_feed.py); the VTIMEZONEs still come from
icalendar, once per zone and year. Four independent parsers read the result in
tests/calendars/test_feed_interop.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from app.calendars.models import Calendar, CalendarEvent, CalendarEventOverride
from app.calendars.outlook_mapping import description_text
from app.calendars.timezones import vtimezone

PRODID = "-//City of Auburn//MyGov calendars//EN"
REFRESH = "PT1H"
CRLF = "\r\n"


@dataclass(frozen=True)
class FeedHeader:
    """What the VCALENDAR says about itself: one calendar, a filtered view of one, or several combined."""

    name: str
    description: str
    time_zone: str

    @classmethod
    def of(cls, calendar: Calendar) -> FeedHeader:
        return cls(calendar.name, calendar.description or "", calendar.time_zone)


def feed(header: FeedHeader, events: list[CalendarEvent], *, page_url: Callable[[CalendarEvent], str],
         year: int) -> bytes:
    lines = ["BEGIN:VCALENDAR", f"PRODID:{PRODID}", "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"NAME:{text(header.name)}", f"X-WR-CALNAME:{text(header.name)}", f"X-WR-TIMEZONE:{header.time_zone}"]
    if header.description:
        lines += [f"DESCRIPTION:{text(header.description)}", f"X-WR-CALDESC:{text(header.description)}"]
    # REFRESH-INTERVAL (RFC 7986) for Apple and others; X-PUBLISHED-TTL is what Outlook's poller reads.
    lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}", f"X-PUBLISHED-TTL:{REFRESH}"]
    body = [fold_all(lines)]
    for tzid in sorted({e.time_zone for e in events if not e.all_day}):
        body.append(_vtimezone_bytes(tzid, year))
    for event in sorted(events, key=lambda e: e.uid):
        url = page_url(event)
        body.append(fold_all(_vevent(event, url)))
        for override in event.overrides:
            body.append(fold_all(_override(event, override, url)))
    body.append(b"END:VCALENDAR\r\n")
    return b"".join(body)


@lru_cache(maxsize=64)
def _vtimezone_bytes(tzid: str, year: int) -> bytes:
    return vtimezone(tzid, year).to_ical()


def _vevent(event: CalendarEvent, page_url: str) -> list[str]:
    cancelled = event.status == "cancelled"
    lines = ["BEGIN:VEVENT", f"UID:{text(event.uid)}", *_stamps(event),
             f"SUMMARY:{text(('Cancelled: ' if cancelled else '') + event.title)}",
             f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}"]
    if event.all_day:
        lines += [f"DTSTART;VALUE=DATE:{event.start_date:%Y%m%d}", f"DTEND;VALUE=DATE:{event.end_date:%Y%m%d}"]
    else:
        lines += [_local("DTSTART", event, event.start_at), _local("DTEND", event, event.end_at)]
    if event.rrule:
        lines.append(f"RRULE:{event.rrule.removeprefix('RRULE:').upper()}")
        for skipped in event.exdates or []:
            moment = datetime.fromisoformat(skipped)
            lines.append(f"EXDATE;VALUE=DATE:{moment:%Y%m%d}" if event.all_day
                         else _local("EXDATE", event, moment))
    return [*lines, *_details(event, event.location, page_url), "END:VEVENT"]


def _override(event: CalendarEvent, override: CalendarEventOverride, page_url: str) -> list[str]:
    """A moved (or cancelled) occurrence: same UID, RECURRENCE-ID in the master's zone. An override
    replaces the whole occurrence in every client, so it repeats the series' details it does not change."""
    title = override.title or event.title
    lines = ["BEGIN:VEVENT", f"UID:{text(event.uid)}", *_stamps(event),
             _local("RECURRENCE-ID", event, override.recurrence_id),
             _local("DTSTART", event, override.start_at), _local("DTEND", event, override.end_at),
             f"SUMMARY:{text(('Cancelled: ' if override.cancelled else '') + title)}",
             f"STATUS:{'CANCELLED' if override.cancelled else 'CONFIRMED'}"]
    return [*lines, *_details(event, override.location or event.location, page_url), "END:VEVENT"]


def _details(event: CalendarEvent, location: str, page_url: str) -> list[str]:
    lines = [f"LOCATION:{text(location)}"] if location else []
    if event.description:
        lines.append(f"DESCRIPTION:{text(description_text(event))}")  # Outlook's HTML as text
    lines.append(f"URL:{page_url}")
    if event.category:
        lines.append(f"CATEGORIES:{text(event.category)}")
    return lines


def _stamps(event: CalendarEvent) -> list[str]:
    """From the data, never the clock: the body stays byte-identical until the event changes."""
    changed = _utc(event.updated_at)
    return [f"DTSTAMP:{changed}", f"CREATED:{_utc(event.created_at)}", f"LAST-MODIFIED:{changed}",
            f"SEQUENCE:{event.sequence}"]


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"


def _local(name: str, event: CalendarEvent, moment: datetime | date) -> str:
    """A local time with TZID (never floating, never UTC: Google matches EXDATEs by zone + wall clock)."""
    zone = ZoneInfo(event.time_zone)
    local = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
    return f"{name};TZID={event.time_zone}:{local:%Y%m%dT%H%M%S}"


def text(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT: backslash, semicolon, comma and line breaks escaped."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold_all(lines: list[str]) -> bytes:
    return b"".join(fold(line) for line in lines)


def fold(line: str) -> bytes:
    """One content line, CRLF-terminated, folded at 75 octets without splitting a UTF-8 sequence."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    parts, start, limit = [], 0, 75
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: break before its character starts
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # continuation lines begin with a space, which counts
    parts.append(data[start:])
    return b"\r\n ".join(parts) + b"\r\n"
