"""ICS feeds that Outlook, Google, Apple and Thunderbird all read right (see shared/calendar-feeds-and-a11y.md).

Deterministic output for stable ETags: DTSTAMP is the event's last change, never the request time,
and events come in a fixed order. Timed events carry TZID with a rule-based VTIMEZONE; all-day
events are DATE values; cancelled events stay with STATUS:CANCELLED, a "Cancelled: " summary (Outlook
ignores STATUS) and their bumped SEQUENCE.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar as ICalendar
from icalendar import Event as IEvent
from icalendar import vRecur

from app.calendars.models import Calendar, CalendarEvent
from app.calendars.outlook_mapping import description_text
from app.calendars.timezones import vtimezone

PRODID = "-//City of Auburn//MyGov calendars//EN"
REFRESH = timedelta(hours=1)


def feed(calendar: Calendar, events: list[CalendarEvent], *, page_url: str, year: int) -> bytes:
    ical = ICalendar()
    ical.add("prodid", PRODID)
    ical.add("version", "2.0")
    ical.add("calscale", "GREGORIAN")
    ical.add("method", "PUBLISH")
    ical.add("name", calendar.name)
    ical.add("x-wr-calname", calendar.name)
    ical.add("x-wr-timezone", calendar.time_zone)
    if calendar.description:
        ical.add("x-wr-caldesc", calendar.description)
    ical.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    ical.add("x-published-ttl", "PT1H")  # Outlook's poller reads this one
    zones = sorted({e.time_zone for e in events if not e.all_day})
    for tzid in zones:
        ical.add_component(vtimezone(tzid, year))
    for event in sorted(events, key=lambda e: e.uid):
        ical.add_component(_vevent(event, page_url))
        for override in event.overrides:
            ical.add_component(_override(event, override))
    return ical.to_ical()


def _vevent(event: CalendarEvent, page_url: str) -> IEvent:
    vevent = IEvent()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", event.updated_at.astimezone(timezone.utc))
    vevent.add("sequence", event.sequence)
    cancelled = event.status == "cancelled"
    vevent.add("summary", f"Cancelled: {event.title}" if cancelled else event.title)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if event.all_day:
        vevent.add("dtstart", event.start_date)
        vevent.add("dtend", event.end_date)
    else:
        zone = ZoneInfo(event.time_zone)
        vevent.add("dtstart", event.start_at.astimezone(zone))
        vevent.add("dtend", event.end_at.astimezone(zone))
    if event.rrule:
        vevent.add("rrule", vRecur.from_ical(event.rrule.removeprefix("RRULE:")))
        for skipped in event.exdates or []:
            vevent.add("exdate", _local(event, skipped))
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", description_text(event))  # Outlook's HTML as text
    vevent.add("url", f"{page_url}#event-{event.uid}")
    if event.category:
        vevent.add("categories", [event.category])
    return vevent


def _local(event: CalendarEvent, iso: str):
    moment = datetime.fromisoformat(iso)
    if event.all_day:
        return moment.date()
    zone = ZoneInfo(event.time_zone)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def _override(event: CalendarEvent, override) -> IEvent:
    """A moved (or cancelled) occurrence: same UID, RECURRENCE-ID in the master's zone."""
    zone = ZoneInfo(event.time_zone)
    vevent = IEvent()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", event.updated_at.astimezone(timezone.utc))
    vevent.add("sequence", event.sequence)
    vevent.add("recurrence-id", override.recurrence_id.astimezone(zone))
    vevent.add("dtstart", override.start_at.astimezone(zone))
    vevent.add("dtend", override.end_at.astimezone(zone))
    title = override.title or event.title
    vevent.add("summary", f"Cancelled: {title}" if override.cancelled else title)
    vevent.add("status", "CANCELLED" if override.cancelled else "CONFIRMED")
    if override.location or event.location:
        vevent.add("location", override.location or event.location)
    return vevent
