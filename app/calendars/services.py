"""Changing calendars and their events: validated saves, skipped and moved occurrences, publish and
cancel. Each change is audited, and when the calendar has an `exchange_calendar_address` the
Exchange write is recorded in the same transaction (outbox)."""
from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.access.models import AuditEntry
from app.access.permissions import MissingPermission, has_role
from app.access.services import audit
from app.calendars.categories import category_problem
from app.calendars.exchange import graph_event, occurrence_changes
from app.calendars.mailboxes import NOT_ALLOWED, may_publish_to
from app.calendars.forms import (
    CalendarInput,
    EventInput,
    Invalid,
    MoveInput,
    input_from_stored,
    occurrence_start,
    parse_calendar,
    parse_event,
    parse_move,
    stored_input,
)
from app.calendars.models import Calendar, CalendarEvent, CalendarEventOverride, CalendarEventRevision
from app.extensions import db
from app.facilities.models import Facility, FacilitySpace
from app.jobs.outbox import record_operation
from app.people.models import Employee
from app.reservations import occupancy_table
from app.reservations.occupancy import EVENT
from app.sqltypes import utcnow

# A change to any of these is significant: subscribers' calendars must take it (SEQUENCE goes up).
SIGNIFICANT = ("start_at", "end_at", "start_date", "end_date", "all_day", "rrule", "location", "status")
EventInvalid = Invalid  # the name the views and tests use for a refused save
PUBLISHER = "calendars.publisher"
OVERLAP_ROLE = "facilities.editor"  # may publish over a booking or closure in a room, with a reason
MAX_REASON_LENGTH = 2000
log = logging.getLogger(__name__)


def save_calendar(calendar: Calendar | None, data: CalendarInput, actor: Employee) -> Calendar:
    taken = db.session.scalar(select(Calendar.id).where(Calendar.slug == data.slug.strip().lower()))
    values = parse_calendar(data, slug_taken=taken is not None and (calendar is None or taken != calendar.id))
    address = values.get("exchange_calendar_address")
    if address and not may_publish_to(str(address)):
        raise Invalid({"exchange_calendar_address": NOT_ALLOWED})
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


class RevisionProposed(Exception):
    """An editor's change to a published event was kept as a revision for a publisher to apply."""

    def __init__(self, revision: CalendarEventRevision) -> None:
        super().__init__("the change waits for a calendar publisher")
        self.revision = revision


class RoomTaken(Invalid):
    """A published event would overlap a reservation or closure in the room its calendar writes to."""

    def __init__(self, message: str) -> None:
        super().__init__({"overlap_reason": message})


def save_event(calendar: Calendar, event: CalendarEvent | None, data: EventInput, actor: Employee,
               overlap_reason: str = "") -> CalendarEvent:
    """Save the event; a published event changes only by a publisher's hand: an editor's (valid)
    change is kept as a pending revision instead (RevisionProposed), and the public event is unchanged."""
    values = _parsed(calendar, event, data)
    if event is not None and event.status == "published" and not has_role(actor, PUBLISHER):
        raise RevisionProposed(_propose(event, data, actor))
    return _apply(calendar, event, values, actor, overlap_reason)


def _parsed(calendar: Calendar, event: CalendarEvent | None, data: EventInput) -> dict[str, object]:
    with db.session.no_autoflush:  # a new event added by the caller is not complete until the values are set
        facility_ids = set(db.session.scalars(select(Facility.id)))
        problem = category_problem(calendar, data.category, event.category if event else None)
    try:
        values = parse_event(data, ZoneInfo(event.time_zone if event else calendar.time_zone), facility_ids)
    except Invalid as invalid:
        raise Invalid({**invalid.errors, **({"category": problem} if problem else {})}) from None
    if problem:
        raise Invalid({"category": problem})
    return values


def _propose(event: CalendarEvent, data: EventInput, actor: Employee) -> CalendarEventRevision:
    """The editor's latest proposal replaces an earlier one of theirs still waiting."""
    proposed = stored_input(data)
    for earlier in pending_revisions(event):
        if earlier.proposed_by_id == actor.id:
            earlier.status, earlier.decided_at = "discarded", utcnow()
    revision = CalendarEventRevision(event=event, proposed=proposed, proposed_by_id=actor.id, status="pending")
    db.session.add(revision)
    db.session.flush()
    audit(actor, "calendar_event.propose", "calendar_event", event.id, None, {"revision": revision.id})
    db.session.commit()
    return revision


def pending_revisions(event: CalendarEvent | None = None) -> list[CalendarEventRevision]:
    query = select(CalendarEventRevision).where(CalendarEventRevision.status == "pending")
    if event is not None:
        query = query.where(CalendarEventRevision.event_id == event.id)
    return list(db.session.scalars(query.order_by(CalendarEventRevision.id)))


def apply_revision(revision: CalendarEventRevision, actor: Employee, overlap_reason: str = "") -> CalendarEvent:
    """A publisher puts an editor's change live (validated again: the facility list may have changed)."""
    _require_publisher(actor)
    event = revision.event
    values = _parsed(event.calendar, event, input_from_stored(revision.proposed))
    revision.status, revision.decided_by_id, revision.decided_at = "applied", actor.id, utcnow()
    audit(actor, "calendar_event.apply_revision", "calendar_event", event.id, None, {"revision": revision.id})
    return _apply(event.calendar, event, values, actor, overlap_reason)


def discard_revision(revision: CalendarEventRevision, actor: Employee) -> None:
    _require_publisher(actor)
    revision.status, revision.decided_by_id, revision.decided_at = "discarded", actor.id, utcnow()
    audit(actor, "calendar_event.discard_revision", "calendar_event", revision.event_id, None,
          {"revision": revision.id})
    db.session.commit()


def _require_publisher(actor: Employee) -> None:
    if not has_role(actor, PUBLISHER):
        raise MissingPermission(PUBLISHER)


def _apply(calendar: Calendar, event: CalendarEvent | None, values: dict[str, object],
           actor: Employee, overlap_reason: str = "") -> CalendarEvent:
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
        _room_free_or_exempted(event, actor, overlap_reason)
        _exchange(event, "update_event", entry)
    db.session.commit()
    return event


def publish_event(event: CalendarEvent, actor: Employee, overlap_reason: str = "") -> None:
    if event.status == "published":
        return
    before = event.status
    event.status = "published"
    _changed(event, significant=before == "cancelled")
    entry = audit(actor, "calendar_event.publish", "calendar_event", event.id, {"status": before},
                  {"status": "published"})
    _room_free_or_exempted(event, actor, overlap_reason)
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


def delete_event(event: CalendarEvent, actor: Employee) -> None:
    """A draft goes for good. A published or cancelled event leaves Exchange (outbox) and, being
    "deleted", the public pages and feeds at once; the row stays for the audit trail and the outbox.
    Feed subscribers' apps drop a UID missing from the next poll (README: "Deleting an event")."""
    before = {"status": event.status, "title": event.title}
    if event.status == "draft":
        audit(actor, "calendar_event.delete", "calendar_event", event.id, before, {})
        db.session.delete(event)
        db.session.commit()
        return
    if event.status == "deleted":
        return
    was_published = event.status == "published"
    event.status = "deleted"
    _changed(event, significant=True)
    entry = audit(actor, "calendar_event.delete", "calendar_event", event.id, before, {"status": "deleted"})
    if was_published:
        _exchange(event, "delete_event", entry)
    db.session.commit()


def skip_occurrence(event: CalendarEvent, original: str, actor: Employee) -> None:
    """Leave one occurrence out of the series (EXDATE), named by its original local start."""
    _may_change_occurrences(event, actor)
    local = _occurrence_key(event, original)
    if local in (event.exdates or []):
        return
    _drop_override(event, local)
    event.exdates = sorted([*(event.exdates or []), local])
    _series_changed(event, actor, "calendar_event.skip", {"occurrence": local})


def restore_occurrence(event: CalendarEvent, original: str, actor: Employee, overlap_reason: str = "") -> None:
    """Bring back a skipped occurrence, or put a moved one back at its original time."""
    _may_change_occurrences(event, actor)
    local = _occurrence_key(event, original)
    skipped = local in (event.exdates or [])
    if not skipped and not _drop_override(event, local):
        return
    event.exdates = [value for value in event.exdates or [] if value != local]
    _series_changed(event, actor, "calendar_event.restore", {"occurrence": local}, overlap_reason)


def move_occurrence(event: CalendarEvent, data: MoveInput, actor: Employee, overlap_reason: str = "") -> None:
    _may_change_occurrences(event, actor)
    if event.all_day or not event.rrule:
        raise Invalid({"original": "Only occurrences of a repeating event with times can be moved."})
    original, starts, ends = parse_move(data, ZoneInfo(event.time_zone))
    local = _occurrence_key(event, data.original)
    _drop_override(event, local)
    event.exdates = [value for value in event.exdates or [] if value != local]
    event.overrides.append(CalendarEventOverride(recurrence_id=original, start_at=starts, end_at=ends))
    _series_changed(event, actor, "calendar_event.move",
                    {"occurrence": local, "start": starts.isoformat(), "end": ends.isoformat()}, overlap_reason)


def _may_change_occurrences(event: CalendarEvent, actor: Employee) -> None:
    if event.status == "published" and not has_role(actor, PUBLISHER):
        raise Invalid({"original": "This event is published: only a calendar publisher can skip or move its "
                                   "occurrences. Ask one, or change the event and a publisher will apply it."})


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


def _series_changed(event: CalendarEvent, actor: Employee, action: str, after: dict[str, object],
                    overlap_reason: str = "") -> None:
    _changed(event, significant=True)
    entry = audit(actor, action, "calendar_event", event.id, None, after)
    if event.status == "published":  # a date moved or brought back onto a booking is refused like a publish
        _room_free_or_exempted(event, actor, overlap_reason)
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
    if not may_publish_to(mailbox):
        # An address saved before MyGov checked them (or a room since removed): nothing is written
        # there; the calendars screen says so until someone changes it.
        log.warning("calendar %s: not writing to %s, neither a managed room nor an approved mailbox",
                    event.calendar.slug, mailbox)
        return
    payload: dict[str, object] = {"mailbox": mailbox}
    room = _is_room_mailbox(mailbox)
    if room:  # the room's occupancy follows the event (what it now overlaps, room reconcile reports)
        occupancy_table.sync_mailbox(mailbox)
    if kind != "delete_event":
        payload["event"] = graph_event(event, blocks_room=room)
        payload["occurrences"] = occurrence_changes(event)
    record_operation(kind, target_type="calendar_event", target_id=event.id, payload=payload,
                     idempotency_key=f"calendar-event-{event.id}-{kind}-audit-{entry.id}")


def _room_free_or_exempted(event: CalendarEvent, actor: Employee, reason: str) -> None:
    """A published event written to a room may not overlap a reservation or closure there, unless a
    facilities editor gives a reason: then an audited exemption lets it hold the room anyway (the
    exclusion constraint honours it). Raises RoomTaken (the caller rolls back: nothing is saved)."""
    mailbox = event.calendar.exchange_calendar_address
    if not mailbox or not _is_room_mailbox(mailbox):
        return
    collisions = occupancy_table.event_collisions(event.id, mailbox)
    if not collisions:
        return
    where = "; ".join(words for _, words in collisions[:3]) + ("; and more" if len(collisions) > 3 else "")
    if not has_role(actor, OVERLAP_ROLE):
        raise RoomTaken(f"“{event.title}” cannot be published as it stands: {where}. Choose another time, or "
                        "ask a facilities editor to publish it over the booking with a reason.")
    reason = " ".join(reason.split())
    if not reason:
        raise RoomTaken(f"“{event.title}”: {where}. To publish it over the booking anyway, say why in "
                        "“Reason for the overlap”: it is kept in the audit log.")
    if len(reason) > MAX_REASON_LENGTH:
        raise RoomTaken(f"Keep the reason for the overlap under {MAX_REASON_LENGTH} characters.")
    for space in {space.id: space for space, _ in collisions}.values():
        occupancy_table.grant_exemption(space, EVENT, event.id, reason, actor)


def _is_room_mailbox(address: str) -> bool:
    return db.session.scalar(select(FacilitySpace.id).where(
        func.lower(FacilitySpace.exchange_resource_mailbox) == address.lower()).limit(1)) is not None


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, (date, datetime)) else value
