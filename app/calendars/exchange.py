"""How a published MyGov event looks in Exchange: the Graph event body (contract §6.1)."""
from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr

from app.calendars.models import CalendarEvent
from app.graph.calendar import graph_datetime

GRAPH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PATTERNS = {DAILY: "daily", WEEKLY: "weekly", MONTHLY: "absoluteMonthly", YEARLY: "absoluteYearly"}


def graph_event(event: CalendarEvent) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": event.title,
        # Published from Outlook = sanitised HTML (outlook_mapping); native descriptions are text.
        "body": {"contentType": "html" if event.source == "outlook" else "text", "content": event.description or ""},
        "location": {"displayName": event.location or ""},
        "showAs": "free",
        "isReminderOn": False,
        "categories": ["MyGov"],
    }
    if event.all_day:
        body["isAllDay"] = True
        body["start"] = {"dateTime": f"{event.start_date.isoformat()}T00:00:00", "timeZone": "UTC"}
        body["end"] = {"dateTime": f"{event.end_date.isoformat()}T00:00:00", "timeZone": "UTC"}
    else:
        body["start"], body["end"] = graph_datetime(event.start_at), graph_datetime(event.end_at)
    recurrence = patterned_recurrence(event)
    if recurrence:
        body["recurrence"] = recurrence
    return body


def patterned_recurrence(event: CalendarEvent) -> dict[str, Any] | None:
    """Graph's patternedRecurrence for the RRULEs it can express; None otherwise.

    Not expressible and so sent as the first occurrence only: BYSETPOS, several BYMONTHDAY values,
    BYHOUR/BYMINUTE, and monthly/yearly rules by weekday (Graph's relative patterns need one index).
    """
    if not event.rrule:
        return None
    zone = ZoneInfo(event.time_zone)
    start = (datetime.combine(event.start_date, time.min) if event.all_day
             else event.start_at.astimezone(zone).replace(tzinfo=None))
    rule = rrulestr(event.rrule, dtstart=start)
    freq = rule._freq  # dateutil keeps the parsed parts on the rule
    if freq not in PATTERNS or rule._bysetpos or set(rule._byhour or {start.hour}) != {start.hour}:
        return None
    pattern: dict[str, Any] = {"type": PATTERNS[freq], "interval": rule._interval}
    if freq == WEEKLY:
        pattern["daysOfWeek"] = [GRAPH_DAYS[d] for d in sorted(rule._byweekday or (start.weekday(),))]
        pattern["firstDayOfWeek"] = "sunday"
    elif freq in (MONTHLY, YEARLY):
        if rule._bynweekday or len(rule._bymonthday or ()) > 1:
            return None
        pattern["dayOfMonth"] = start.day
        if freq == YEARLY:
            pattern["month"] = start.month
    date_range: dict[str, Any] = {"startDate": start.date().isoformat(), "recurrenceTimeZone": event.time_zone}
    if rule._count:
        date_range.update(type="numbered", numberOfOccurrences=rule._count)
    elif rule._until:
        until = rule._until.astimezone(zone) if rule._until.tzinfo else rule._until
        date_range.update(type="endDate", endDate=until.date().isoformat())
    else:
        date_range["type"] = "noEnd"
    return {"pattern": pattern, "range": date_range}
