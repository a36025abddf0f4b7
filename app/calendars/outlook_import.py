"""Publishing chosen Outlook events to the website (issue 10).

Reading a source never changes the website: listing marks what is published, changed in Outlook,
deleted in Outlook or private; only a staff member's "publish" or "apply" writes, and it writes
through the calendars services so their audit, SEQUENCE and Exchange rules apply.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.access.models import AuditEntry
from app.calendars import services
from app.calendars.categories import first_known
from app.calendars.models import Calendar, CalendarEvent, OutlookImportSource
from app.calendars.outlook_mapping import is_gone, is_publishable, mapped_event
from app.calendars.outlook_review import snapshot_of
from app.calendars.outlook_series import outlook_date_changes, replace_date_changes
from app.extensions import db
from app.graph.calendar import calendar_view, get_event, list_calendar_permissions, parse_graph_datetime
from app.graph.client import segment
from app.graph.errors import GraphError
from app.microsoft import graph_client
from app.people.models import Employee
from app.web.params import whole_number

ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SourceInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --- sources (platform admins) --------------------------------------------------------------------

# A sharing role that lets the person read the calendar's event details.
READING_ROLES = frozenset({"read", "write", "delegateWithoutPrivateEventAccess", "delegateWithPrivateEventAccess"})


def create_source(name: str, mailbox: str, calendar_id: str, outlook_calendar_id: str,
                  actor: Employee, any_calendar: bool = False) -> OutlookImportSource:
    """A platform admin (`any_calendar`) may add any calendar MyGov can read; a publisher only their own
    or one its owner shares with them."""
    name, mailbox, outlook_calendar_id = name.strip(), mailbox.strip().lower(), outlook_calendar_id.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a name staff will recognise, for example “Library program room”."
    if not ADDRESS.match(mailbox):
        errors["mailbox"] = "Enter the mailbox or shared calendar address, for example events@auburnal.gov."
    chosen = whole_number(calendar_id)
    calendar = db.session.get(Calendar, chosen) if chosen else None
    if calendar is None:
        errors["calendar_id"] = "Choose the website calendar its events may be published to."
    elif (calendar.exchange_calendar_address or "").lower() == mailbox:
        errors["mailbox"] = ("MyGov writes this calendar's events to that mailbox; importing from it would "
                             "bring them back. Choose another mailbox.")
    if not errors and not any_calendar and not _readable_by(actor, mailbox, outlook_calendar_id):
        errors["mailbox"] = ("You can add your own calendar or one shared with you in Outlook; ask the calendar's "
                             "owner to share it with you, or a platform admin to add it.")
    if not errors:
        problem = _unreadable(mailbox, outlook_calendar_id)
        if problem:
            errors["mailbox"] = problem
    if errors:
        raise SourceInvalid(errors)
    source = OutlookImportSource(name=name, mailbox=mailbox, outlook_calendar_id=outlook_calendar_id or None,
                                 calendar=calendar, created_by_id=actor.id)
    db.session.add(source)
    db.session.flush()
    _audit(actor, "outlook_source.create", "outlook_import_source", source.id, {},
           {"name": name, "mailbox": mailbox, "calendar": calendar.slug, "outlook_calendar_id": outlook_calendar_id})
    db.session.commit()
    return source


def _readable_by(actor: Employee, mailbox: str, outlook_calendar_id: str) -> bool:
    """The actor's own mailbox, or one whose owner shares that calendar with them (read or more)."""
    own = {address.lower() for address in (actor.mail, actor.upn) if address}
    if mailbox in own:
        return True
    try:
        shares = list_calendar_permissions(graph_client(), mailbox, outlook_calendar_id or None)
    except GraphError:
        return False
    return any(str((share.get("emailAddress") or {}).get("address") or "").lower() in own
               and share.get("role") in READING_ROLES for share in shares)


def _unreadable(mailbox: str, outlook_calendar_id: str) -> str | None:
    """Why MyGov cannot read this calendar through Graph, in plain words; None when it can."""
    try:
        calendars = list(graph_client().pages(f"/users/{segment(mailbox)}/calendars"))
    except GraphError as error:
        return f"MyGov cannot read that mailbox's calendar through Microsoft 365 ({error.code})."
    if outlook_calendar_id and outlook_calendar_id not in {c.get("id") for c in calendars}:
        return "That mailbox has no calendar with this id."
    return None


def delete_source(source: OutlookImportSource, actor: Employee) -> None:
    used = db.session.scalar(select(CalendarEvent.id).where(CalendarEvent.outlook_source_id == source.id).limit(1))
    if used is not None:
        raise SourceInvalid({"source": "Events were published from this source; it stays so they keep their link."})
    _audit(actor, "outlook_source.delete", "outlook_import_source", source.id,
           {"name": source.name, "mailbox": source.mailbox}, {})
    db.session.delete(source)
    db.session.commit()


# --- listing (never writes) ---------------------------------------------------------------------

@dataclass
class OutlookItem:
    """A single event or a recurring series (with its occurrences in the range) as Outlook has it."""

    outlook_id: str
    title: str
    start: datetime
    end: datetime
    all_day: bool
    sensitivity: str
    categories: list[str]
    change_key: str
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    is_series: bool = False
    published: CalendarEvent | None = None

    @property
    def private(self) -> bool:
        return self.sensitivity in ("private", "confidential")

    @property
    def changed(self) -> bool:
        return self.published is not None and self.published.outlook_change_key != self.change_key


@dataclass
class SourceListing:
    items: list[OutlookItem]
    deleted: list[CalendarEvent]  # published from this source, gone from Outlook


def list_events(source: OutlookImportSource, start: datetime, end: datetime) -> SourceListing:
    graph = graph_client()
    items: dict[str, OutlookItem] = {}
    for entry in calendar_view(graph, source.mailbox, start, end, calendar_id=source.outlook_calendar_id):
        if entry.get("isCancelled"):
            continue
        key = entry.get("seriesMasterId") or entry["id"]
        item = items.get(key)
        private = not is_publishable(entry)
        if item is None:
            # A private item's details stay private: the app can read them, the publisher need not.
            item = items[key] = OutlookItem(
                outlook_id=key, title="Private event" if private else entry.get("subject") or "(no title)",
                start=parse_graph_datetime(entry["start"]), end=parse_graph_datetime(entry["end"]),
                all_day=bool(entry.get("isAllDay")), sensitivity=str(entry.get("sensitivity") or "normal").lower(),
                categories=[] if private else list(entry.get("categories") or []), change_key=str(entry.get("changeKey") or ""),
                is_series=bool(entry.get("seriesMasterId")),
            )
        if item.is_series:
            item.occurrences.append({"id": entry["id"], "type": entry.get("type"), "start": parse_graph_datetime(entry["start"]),
                                     "end": parse_graph_datetime(entry["end"])})
    imported = {e.outlook_event_id: e for e in db.session.scalars(
        select(CalendarEvent).where(CalendarEvent.outlook_source_id == source.id))}
    for item in items.values():
        item.published = imported.get(item.outlook_id)
        if item.is_series:  # a series changes as a whole: its master's changeKey is the one to compare
            master = get_event(graph, source.mailbox, item.outlook_id)
            if master is not None:
                item.change_key = str(master.get("changeKey") or item.change_key)
    unseen = [e for key, e in imported.items()
              if key not in items and e.status not in ("cancelled", "deleted") and _overlaps(e, start, end)]
    deleted = [e for e in unseen if is_gone(get_event(graph, source.mailbox, e.outlook_event_id or ""))]
    return SourceListing(sorted(items.values(), key=lambda i: (i.start, i.title)), deleted)


def _overlaps(event: CalendarEvent, start: datetime, end: datetime) -> bool:
    if event.all_day:
        return event.start_date <= end.date() and (event.rrule is not None or event.end_date > start.date())
    return event.start_at < end and (event.rrule is not None or event.end_at > start)


# --- publishing and applying changes ------------------------------------------------------------

@dataclass
class PublishOutcome:
    published: list[CalendarEvent] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # outlook id -> why


def publish(source: OutlookImportSource, outlook_ids: list[str], status: str, actor: Employee) -> PublishOutcome:
    """Create native MyGov events (draft or published) from the chosen Outlook events."""
    if status not in ("draft", "published"):
        raise ValueError(f"publish as draft or published, not {status!r}")
    graph, outcome = graph_client(), PublishOutcome()
    for outlook_id in dict.fromkeys(outlook_ids):
        outlook_event = get_event(graph, source.mailbox, outlook_id)
        if outlook_event is not None and outlook_event.get("seriesMasterId"):  # one date of a series: the series
            outlook_id = outlook_event["seriesMasterId"]
            outlook_event = get_event(graph, source.mailbox, outlook_id)
        existing = db.session.scalar(select(CalendarEvent).where(
            CalendarEvent.outlook_source_id == source.id, CalendarEvent.outlook_event_id == outlook_id))
        if existing is not None:
            outcome.refused[outlook_id] = f"“{existing.title}” is already on the website."
        elif is_gone(outlook_event):
            outcome.refused[outlook_id] = "This event is no longer in Outlook."
        elif not is_publishable(outlook_event):
            outcome.refused[outlook_id] = (f"An event marked {outlook_event.get('sensitivity')} in Outlook "
                                           "cannot be published.")
        else:
            try:
                outcome.published.append(_create(source, outlook_event, status, actor))
            except services.EventInvalid as invalid:
                db.session.rollback()
                outcome.refused[outlook_id] = f"“{outlook_event.get('subject')}” cannot be published: {invalid}"
            except IntegrityError:  # published by someone else a moment ago: the unique Outlook ids held
                db.session.rollback()
                outcome.refused[outlook_id] = f"“{outlook_event.get('subject')}” is already on the website."
    return outcome


def _create(source: OutlookImportSource, outlook_event: dict[str, Any], status: str,
            actor: Employee) -> CalendarEvent:
    mapped = mapped_event(outlook_event, source.calendar.time_zone)
    mapped.data.category = first_known(source.calendar, outlook_event.get("categories"))
    event = CalendarEvent(calendar=source.calendar, uid=f"{uuid.uuid4()}@mygov", time_zone=mapped.time_zone,
                          status="draft", sequence=0, source="outlook", outlook_source=source,
                          outlook_event_id=outlook_event["id"], outlook_change_key=mapped.change_key)
    db.session.add(event)
    dates = outlook_date_changes(graph_client(), source, outlook_event, mapped)
    replace_date_changes(event, dates)
    event.outlook_snapshot = snapshot_of(mapped, dates)
    saved = services.save_event(source.calendar, event, mapped.data, actor)
    _audit(actor, "calendar_event.import_outlook", "calendar_event", saved.id, {},
           {"source": source.mailbox, "outlook_event_id": outlook_event["id"], "status": status})
    if status == "published":
        services.publish_event(saved, actor)  # commits the audit entry above with the publish
    else:
        db.session.commit()
    return saved


def _audit(actor: Employee, action: str, target_type: str, target_id: int, before: dict, after: dict) -> None:
    db.session.add(AuditEntry(actor_id=actor.id, actor_label=actor.display_name, action=action,
                              target_type=target_type, target_id=str(target_id), before=before, after=after))


def sources_for(calendar_ids: list[int] | None = None) -> list[OutlookImportSource]:
    query = select(OutlookImportSource).order_by(OutlookImportSource.name)
    if calendar_ids is not None:
        query = query.where(OutlookImportSource.calendar_id.in_(calendar_ids))
    return list(db.session.scalars(query))
