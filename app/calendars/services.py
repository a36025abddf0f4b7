"""Changing calendar events: validated saves, publish and cancel, each with its Exchange write
recorded in the same transaction when the calendar has an `exchange_calendar_address`."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from app.access.models import AuditEntry
from app.calendars.exchange import graph_event
from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db
from app.jobs.outbox import record_operation
from app.people.models import Employee
from app.sqltypes import utcnow

# A change to any of these is significant: subscribers' calendars must take it (SEQUENCE goes up).
SIGNIFICANT = ("start_at", "end_at", "start_date", "end_date", "all_day", "rrule", "location", "status")


class EventInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class EventInput:
    title: str = ""
    description: str = ""
    all_day: bool = False
    start_date: str = ""
    start_time: str = ""
    end_date: str = ""
    end_time: str = ""
    rrule: str = ""
    location: str = ""
    category: str = ""
    image_url: str = ""
    image_alt: str = ""
    registration_url: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _parse(data: EventInput, zone: ZoneInfo) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {"title": data.title.strip(), "description": data.description.strip(),
                                 "location": data.location.strip(), "category": data.category.strip() or None,
                                 "all_day": data.all_day}
    if not values["title"]:
        errors["title"] = "Enter a title."
    elif len(str(values["title"])) > 300:
        errors["title"] = "Keep the title to 300 characters or fewer."
    try:
        first = date.fromisoformat(data.start_date)
    except ValueError:
        errors["start_date"], first = "Enter the start date, for example 2026-12-05.", None
    try:
        last = date.fromisoformat(data.end_date or data.start_date)
    except ValueError:
        errors["end_date"], last = "Enter the end date, for example 2026-12-05.", None
    if first and last and data.all_day:
        if last < first:
            errors["end_date"] = "The last day must be on or after the first day."
        values.update(start_date=first, end_date=last + timedelta(days=1), start_at=None, end_at=None)
    elif first and last:
        try:
            begins = datetime.combine(first, time.fromisoformat(data.start_time), zone)
            ends = datetime.combine(last, time.fromisoformat(data.end_time), zone)
        except ValueError:
            errors["start_time"] = "Enter start and end times, for example 18:30."
        else:
            if ends <= begins:
                errors["end_time"] = "The event must end after it starts."
            values.update(start_at=begins, end_at=ends, start_date=None, end_date=None)
    rule = data.rrule.strip().removeprefix("RRULE:")
    if rule:
        try:
            rrulestr(rule, dtstart=datetime(2026, 1, 1))
        except (ValueError, TypeError):
            errors["rrule"] = "This repeat rule is not valid (for example FREQ=WEEKLY;BYDAY=TU;COUNT=10)."
    values["rrule"] = rule or None
    for name in ("image_url", "registration_url"):
        url = getattr(data, name).strip()
        if url and not url.startswith(("https://", "http://", "/")):
            errors[name] = "Enter a web address starting with https://."
        values[name] = url or None
    values["image_alt"] = data.image_alt.strip() or None
    if values["image_url"] and not values["image_alt"]:
        errors["image_alt"] = "Describe the image for people who cannot see it."
    if errors:
        raise EventInvalid(errors)
    return values


def save_event(calendar: Calendar, event: CalendarEvent | None, data: EventInput, actor: Employee) -> CalendarEvent:
    # An event keeps the zone it was written in (one published from Outlook may differ from the calendar's).
    values = _parse(data, ZoneInfo(event.time_zone if event is not None else calendar.time_zone))
    if event is None:
        event = CalendarEvent(calendar=calendar, uid=f"{uuid.uuid4()}@mygov", time_zone=calendar.time_zone,
                              status="draft", sequence=0, source="mygov")
        db.session.add(event)
        before: dict[str, object] = {}
    else:
        before = {name: _plain(getattr(event, name)) for name in values}
    # Aware datetimes compare as instants, whatever zone each side is expressed in.
    significant = event.id is not None and any(getattr(event, n) != values[n] for n in SIGNIFICANT if n in values)
    for name, value in values.items():
        setattr(event, name, value)
    if significant:
        event.sequence += 1
    event.updated_at = utcnow()
    db.session.flush()
    _audit(actor, "calendar_event.save", event, before, {n: _plain(v) for n, v in values.items()})
    if event.status == "published":
        _exchange(event, "update_event")
    db.session.commit()
    return event


def publish_event(event: CalendarEvent, actor: Employee) -> None:
    if event.status == "published":
        return
    before = event.status
    if before == "cancelled":
        event.sequence += 1
    event.status, event.updated_at = "published", utcnow()
    _audit(actor, "calendar_event.publish", event, {"status": before}, {"status": "published"})
    _exchange(event, "create_event")
    db.session.commit()


def cancel_event(event: CalendarEvent, actor: Employee) -> None:
    if event.status == "cancelled":
        return
    before = event.status
    event.status, event.sequence, event.updated_at = "cancelled", event.sequence + 1, utcnow()
    _audit(actor, "calendar_event.cancel", event, {"status": before}, {"status": "cancelled"})
    if before == "published":
        _exchange(event, "delete_event")
    db.session.commit()


def _exchange(event: CalendarEvent, kind: str) -> None:
    """The Exchange write for this change, in the caller's transaction; none without an address."""
    mailbox = event.calendar.exchange_calendar_address
    if not mailbox:
        return
    payload: dict[str, object] = {"mailbox": mailbox}
    if kind != "delete_event":
        payload["event"] = graph_event(event)
    key = f"calendar-event-{event.uid}-{kind.split('_')[0]}-{event.sequence}-{uuid.uuid4().hex[:8]}"
    record_operation(kind, target_type="calendar_event", target_id=event.id, payload=payload, idempotency_key=key)


def _audit(actor: Employee, action: str, event: CalendarEvent, before: dict, after: dict) -> None:
    db.session.add(AuditEntry(actor_id=actor.id, actor_label=actor.display_name, action=action,
                              target_type="calendar_event", target_id=str(event.id), before=before, after=after))


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, (date, datetime)) else value
