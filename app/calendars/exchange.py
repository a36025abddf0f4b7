"""How a published MyGov event looks in Exchange: the Graph event body (contract §6.1)."""
from __future__ import annotations

from datetime import datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import vRecur

from app.calendars.models import CalendarEvent
from app.graph.calendar import graph_datetime

GRAPH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PATTERNS = {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "absoluteMonthly", "YEARLY": "absoluteYearly"}


def graph_event(event: CalendarEvent, *, blocks_room: bool = False) -> dict[str, Any]:
    """`blocks_room`: written to a room's mailbox, the event occupies the room, so it is busy there
    (Outlook, free/busy and MyGov's overlap check all see it); elsewhere it makes nobody busy."""
    body: dict[str, Any] = {
        "subject": event.title,
        # Published from Outlook = sanitised HTML (outlook_mapping); native descriptions are text.
        "body": {"contentType": "html" if event.source == "outlook" else "text", "content": event.description or ""},
        "location": {"displayName": event.location or ""},
        "showAs": "busy" if blocks_room else "free",
        "isReminderOn": False,
        "categories": ["MyGov"],
    }
    if event.all_day:
        body["isAllDay"] = True
        body["start"] = {"dateTime": f"{event.start_date.isoformat()}T00:00:00", "timeZone": event.time_zone}
        body["end"] = {"dateTime": f"{event.end_date.isoformat()}T00:00:00", "timeZone": event.time_zone}
    elif event.rrule:
        # A series repeats at its local wall-clock time: in UTC it would slip an hour at each DST change.
        zone = ZoneInfo(event.time_zone)
        body["start"], body["end"] = (
            {"dateTime": moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": event.time_zone}
            for moment in (event.start_at, event.end_at))
    else:
        body["start"], body["end"] = graph_datetime(event.start_at), graph_datetime(event.end_at)
    recurrence = patterned_recurrence(event)
    if recurrence:
        body["recurrence"] = recurrence
    return body


def occurrence_changes(event: CalendarEvent) -> dict[str, list[Any]] | None:
    """A timed series' skipped and moved dates for Exchange, by their original start in UTC.

    All-day series keep their skipped and moved dates on MyGov's pages and feeds only.
    """
    if not event.rrule or event.all_day or patterned_recurrence(event) is None:
        return None
    zone = ZoneInfo(event.time_zone)
    skipped = [datetime.fromisoformat(value).replace(tzinfo=zone) for value in event.exdates or []]
    skipped += [o.recurrence_id for o in event.overrides if o.cancelled]
    moved = [{"original": _utc(o.recurrence_id), "start": graph_datetime(o.start_at), "end": graph_datetime(o.end_at)}
             for o in event.overrides if not o.cancelled]
    return {"skipped": sorted(_utc(moment) for moment in skipped), "moved": moved}


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def patterned_recurrence(event: CalendarEvent) -> dict[str, Any] | None:
    """Graph's patternedRecurrence for the RRULEs it can express; None otherwise.

    Not expressible and so sent as the first occurrence only: BYSETPOS, several BYMONTHDAY values,
    BYHOUR/BYMINUTE, and monthly/yearly rules by weekday (Graph's relative patterns need one index).
    Skipped and moved occurrences stay MyGov's (pages and feeds); Exchange gets the series.
    """
    if not event.rrule:
        return None
    parts = vRecur.from_ical(event.rrule)
    start = _local_start(event)
    freq = parts.get("FREQ", [""])[0]
    if freq not in PATTERNS or parts.get("BYSETPOS") or parts.get("BYHOUR") or parts.get("BYMINUTE"):
        return None
    pattern: dict[str, Any] = {"type": PATTERNS[freq], "interval": int(parts.get("INTERVAL", [1])[0])}
    if freq == "WEEKLY":
        days = parts.get("BYDAY") or [ICAL_DAYS[start.weekday()]]
        if any(str(day) not in ICAL_DAYS for day in days):
            return None
        pattern["daysOfWeek"] = [GRAPH_DAYS[ICAL_DAYS.index(str(day))] for day in days]
        pattern["firstDayOfWeek"] = "sunday"
    elif freq in ("MONTHLY", "YEARLY"):
        if parts.get("BYDAY") or len(parts.get("BYMONTHDAY", [])) > 1:
            return None
        pattern["dayOfMonth"] = start.day
        if freq == "YEARLY":
            pattern["month"] = start.month
    date_range: dict[str, Any] = {"startDate": start.date().isoformat(), "recurrenceTimeZone": event.time_zone}
    if parts.get("COUNT"):
        date_range.update(type="numbered", numberOfOccurrences=int(parts["COUNT"][0]))
    elif parts.get("UNTIL"):
        until = parts["UNTIL"][0]
        if isinstance(until, datetime):
            until = until.astimezone(ZoneInfo(event.time_zone)) if until.tzinfo else until
            until = until.date()
        date_range.update(type="endDate", endDate=until.isoformat())
    else:
        date_range["type"] = "noEnd"
    return {"pattern": pattern, "range": date_range}


def _local_start(event: CalendarEvent) -> datetime:
    if event.all_day:
        return datetime.combine(event.start_date, time.min)
    return event.start_at.astimezone(ZoneInfo(event.time_zone)).replace(tzinfo=None)
