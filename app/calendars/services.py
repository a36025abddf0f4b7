"""Changing calendars and their events: validated saves, skipped and moved occurrences, publish and
cancel. Each change is audited, and when the calendar has an `exchange_calendar_address` the
Exchange write is recorded in the same transaction (outbox)."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.access.models import AuditEntry
from app.access.services import audit
from app.calendars.exchange import graph_event, occurrence_changes
from app.calendars.forms import (
    CalendarInput, EventInput, Invalid, MoveInput, occurrence_start, parse_calendar, parse_event, parse_move,
)
from app.calendars.models import Calendar, CalendarEvent, CalendarEventOverride
from app.extensions import db
from app.facilities.models import Facility
from app.jobs.outbox import record_operation
from app.people.models import Employee
from app.sqltypes import utcnow

# A change to any of these is significant: subscribers' calendars must take it (SEQUENCE goes up).
SIGNIFICANT = ("start_at", "end_at", "start_date", "end_date", "all_day", "rrule", "location", "status")
EventInvalid = Invalid  # the name the views and tests use for a refused save


def save_calendar(calendar: Calendar | None, data: CalendarInput, actor: Employee) -> Calendar:
    taken = db.session.scalar(select(Calendar.id).where(Calendar.slug == data.slug.strip().lower()))
    values = parse_calendar(data, slug_taken=taken is not None and (calendar is None or taken != calendar.id))
    before = {} if calendar is None else {name: getattr(calendar, name) for name in values}
    if calendar is None:
        calendar = Calendar()
        db.session.add(calendar)
    for name, value in values.items():
        setattr(calendar, name, value)
    db.session.flush()
    audit(actor, "calendar.save", "calendar", calendar.id, before, values)
    db.session.commit()
    return calendar


def save_event(calendar: Calendar, event: CalendarEvent | None, data: EventInput, actor: Employee) -> CalendarEvent:
    with db.session.no_autoflush:  # a new event added by the caller is not complete until the values are set
        facility_ids = set(db.session.scalars(select(Facility.id)))
    values = parse_event(data, ZoneInfo(event.time_zone if event else calendar.time_zone), facility_ids)
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
    _changed(event, significant)
    entry = audit(actor, "calendar_event.save", "calendar_event", event.id, before,
                  {n: _plain(v) for n, v in values.items()})
    if event.status == "published":
        _exchange(event, "update_event", entry)
    db.session.commit()
    return event


def publish_event(event: CalendarEvent, actor: Employee) -> None:
    if event.status == "published":
        return
    before = event.status
    event.status = "published"
    _changed(event, significant=before == "cancelled")
    entry = audit(actor, "calendar_event.publish", "calendar_event", event.id, {"status": before},
                  {"status": "published"})
    _exchange(event, "create_event", entry)
    db.session.commit()


def cancel_event(event: CalendarEvent, actor: Employee) -> None:
    """Cancelled events stay on the pages and in the feeds (with "Cancelled") until they are past;
    in Exchange the event is deleted (the mailbox is its organizer, and there are no attendees)."""
    if event.status == "cancelled":
        return
    before = event.status
    event.status = "cancelled"
    _changed(event, significant=True)
    entry = audit(actor, "calendar_event.cancel", "calendar_event", event.id, {"status": before},
                  {"status": "cancelled"})
    if before == "published":
        _exchange(event, "delete_event", entry)
    db.session.commit()


def skip_occurrence(event: CalendarEvent, original: str, actor: Employee) -> None:
    """Leave one occurrence out of the series (EXDATE), named by its original local start."""
    local = _occurrence_key(event, original)
    if local in (event.exdates or []):
        return
    _drop_override(event, local)
    event.exdates = sorted([*(event.exdates or []), local])
    _series_changed(event, actor, "calendar_event.skip", {"occurrence": local})


def restore_occurrence(event: CalendarEvent, original: str, actor: Employee) -> None:
    """Bring back a skipped occurrence, or put a moved one back at its original time."""
    local = _occurrence_key(event, original)
    skipped = local in (event.exdates or [])
    if not skipped and not _drop_override(event, local):
        return
    event.exdates = [value for value in event.exdates or [] if value != local]
    _series_changed(event, actor, "calendar_event.restore", {"occurrence": local})


def move_occurrence(event: CalendarEvent, data: MoveInput, actor: Employee) -> None:
    if event.all_day or not event.rrule:
        raise Invalid({"original": "Only occurrences of a repeating event with times can be moved."})
    original, starts, ends = parse_move(data, ZoneInfo(event.time_zone))
    local = _occurrence_key(event, data.original)
    _drop_override(event, local)
    event.exdates = [value for value in event.exdates or [] if value != local]
    event.overrides.append(CalendarEventOverride(recurrence_id=original, start_at=starts, end_at=ends))
    _series_changed(event, actor, "calendar_event.move",
                    {"occurrence": local, "start": starts.isoformat(), "end": ends.isoformat()})


def _occurrence_key(event: CalendarEvent, original: str) -> str:
    """The naive local ISO start that EXDATEs and the occurrence lists use."""
    from app.calendars.queries import series_starts

    moment = occurrence_start(original, ZoneInfo(event.time_zone)).replace(tzinfo=None)
    if moment not in series_starts(event, moment):
        raise Invalid({"original": "This event has no occurrence at that time."})
    return moment.isoformat()


def _drop_override(event: CalendarEvent, local: str) -> bool:
    zone = ZoneInfo(event.time_zone)
    found = [o for o in event.overrides if o.recurrence_id.astimezone(zone).replace(tzinfo=None).isoformat() == local]
    for override in found:
        event.overrides.remove(override)
    return bool(found)


def _series_changed(event: CalendarEvent, actor: Employee, action: str, after: dict[str, object]) -> None:
    _changed(event, significant=True)
    entry = audit(actor, action, "calendar_event", event.id, None, after)
    if event.status == "published":
        _exchange(event, "update_event", entry)
    db.session.commit()


def _changed(event: CalendarEvent, significant: bool) -> None:
    """Every change moves updated_at (the feed's DTSTAMP, LAST-MODIFIED and cache key)."""
    if significant and event.id is not None:
        event.sequence += 1
    event.updated_at = utcnow()
    db.session.flush()


def _exchange(event: CalendarEvent, kind: str, entry: AuditEntry) -> None:
    """The Exchange write for this change, in the caller's transaction; none without an address.

    The key names the change (its audit entry), so it is the same on every retry of the row and
    Graph's transactionId de-duplicates a re-sent create, while two changes never share a key.
    """
    mailbox = event.calendar.exchange_calendar_address
    if not mailbox:
        return
    payload: dict[str, object] = {"mailbox": mailbox}
    if kind != "delete_event":
        payload["event"] = graph_event(event)
        payload["occurrences"] = occurrence_changes(event)
    record_operation(kind, target_type="calendar_event", target_id=event.id, payload=payload,
                     idempotency_key=f"calendar-event-{event.id}-{kind}-audit-{entry.id}")


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, (date, datetime)) else value
