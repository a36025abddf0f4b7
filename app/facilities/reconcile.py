"""Reconcile room calendars: the MyGov-written events in each room's Exchange calendar against
MyGov's active reservations and published events (on calendars whose exchange_calendar_address is
the room's mailbox), over a window; and what MyGov itself puts in a room that overlaps (an event
published over a reservation without an exemption: occupancy_table.sync_space).

Checking changes nothing in Exchange; it stores the differences on each space for the staff
screen. Repair happens only when staff confirm exactly the differences they were shown (the same
shape as app/access/reconcile.py). MyGov's events are recognised by their "MyGov" category.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, or_, select

from app.access.services import audit
from app.calendars.exchange import graph_event
from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db
from app.facilities.models import FacilitySpace
from app.facilities.services import FacilitiesError
from app.graph import GraphClient, GraphError, calendar
from app.jobs.models import GraphOperation
from app.jobs.outbox import record_operation
from app.people.models import Employee
from app.reservations.exchange import create_event_payload, state_fields
from app.reservations.models import ACTIVE_STATUSES, Reservation
from app.reservations.occupancy_table import sync_space
from app.sqltypes import utcnow

DEFAULT_DAYS = 30
MYGOV_CATEGORY = "MyGov"


@dataclass(frozen=True)
class Drift:
    space_id: int
    mailbox: str
    change: str  # missing | extra | mismatched
    source: str  # reservation | calendar_event | exchange (an event nothing in MyGov accounts for)
    source_id: int | None
    event_id: str | None
    subject: str
    start: str
    end: str
    detail: str = ""
    queued: bool = False

    @property
    def key(self) -> str:
        return f"{self.space_id}|{self.change}|{self.source}|{self.source_id}|{self.event_id}"


@dataclass(frozen=True)
class Expected:
    source: str
    row: Reservation | CalendarEvent
    subject: str
    start: datetime | None  # None: compare presence only (recurring or all-day)
    end: datetime | None

    @property
    def event_id(self) -> str | None:
        return self.row.exchange_event_id


def room_spaces() -> list[FacilitySpace]:
    return list(db.session.scalars(select(FacilitySpace).where(
        FacilitySpace.exchange_resource_mailbox.is_not(None), FacilitySpace.provisioning_state == "active",
    ).order_by(FacilitySpace.facility_id, FacilitySpace.name)))


def _writing(target_type: str, target_id: int) -> bool:
    """An Exchange write for this row has not finished: its event is in flux, not drift."""
    return db.session.scalar(select(func.count()).select_from(GraphOperation).where(
        GraphOperation.target_type == target_type, GraphOperation.target_id == str(target_id),
        GraphOperation.status.in_(("pending", "running")))) > 0


def expected_events(space: FacilitySpace, start: datetime, end: datetime) -> list[Expected]:
    mailbox = (space.exchange_resource_mailbox or "").lower()
    reservations = db.session.scalars(select(Reservation).where(
        Reservation.space_id == space.id, Reservation.status.in_(ACTIVE_STATUSES),
        Reservation.start_at < end, Reservation.end_at > start))
    items = [Expected("reservation", r, state_fields(r)["subject"], r.start_at, r.end_at) for r in reservations]
    events = db.session.scalars(select(CalendarEvent).join(Calendar).where(
        func.lower(Calendar.exchange_calendar_address) == mailbox, CalendarEvent.status == "published",
        or_(CalendarEvent.rrule.is_not(None),
            (CalendarEvent.start_at < end) & (CalendarEvent.end_at > start),
            (CalendarEvent.start_date < end.date()) & (CalendarEvent.end_date > start.date()))))
    for event in events:
        timed = not event.all_day and not event.rrule
        items.append(Expected("calendar_event", event, event.title,
                              event.start_at if timed else None, event.end_at if timed else None))
    return items


def being_removed(space: FacilitySpace) -> set[str]:
    """Events of rows no longer active whose delete has not run yet: not extra, just not gone yet."""
    mailbox = (space.exchange_resource_mailbox or "").lower()
    rows: list[tuple[str, int, str]] = [("reservation", r.id, r.exchange_event_id) for r in db.session.scalars(
        select(Reservation).where(Reservation.space_id == space.id, Reservation.exchange_event_id.is_not(None),
                                  Reservation.status.not_in(ACTIVE_STATUSES)))]
    rows += [("calendar_event", e.id, e.exchange_event_id) for e in db.session.scalars(
        select(CalendarEvent).join(Calendar).where(func.lower(Calendar.exchange_calendar_address) == mailbox,
                                                   CalendarEvent.exchange_event_id.is_not(None),
                                                   CalendarEvent.status != "published"))]
    return {event_id for target_type, target_id, event_id in rows if _writing(target_type, target_id)}


def _instant(value: dict[str, str] | None) -> datetime | None:
    return calendar.parse_graph_datetime(value) if value else None


def _text(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def compare_space(graph: GraphClient, space: FacilitySpace, start: datetime, end: datetime) -> list[Drift]:
    mailbox = space.exchange_resource_mailbox or ""
    seen: dict[str, dict[str, Any]] = {}
    for item in calendar.calendar_view(graph, mailbox, start, end):
        if MYGOV_CATEGORY in (item.get("categories") or []):
            seen.setdefault(item.get("seriesMasterId") or item["id"], item)
    rows: list[Drift] = []
    accounted = being_removed(space)
    for expected in expected_events(space, start, end):
        target = (expected.source, expected.row.id)
        base = dict(space_id=space.id, mailbox=mailbox, source=expected.source, source_id=expected.row.id,
                    subject=expected.subject, start=_text(expected.start), end=_text(expected.end))
        if expected.event_id:
            accounted.add(expected.event_id)
        if _writing(*target):
            continue
        actual = seen.get(expected.event_id or "") if expected.event_id else None
        if actual is None and expected.event_id:
            actual = calendar.get_event(graph, mailbox, expected.event_id)  # moved out of the window?
        if actual is None:
            rows.append(Drift(change="missing", event_id=expected.event_id, **base,
                              detail="Not in the room's calendar (deleted in Outlook, or never written)."))
            continue
        if actual.get("showAs") != "busy":  # everything MyGov writes to a room occupies it
            rows.append(Drift(change="mismatched", event_id=actual["id"], **base,
                              detail=f"Shown as {actual.get('showAs')} in Exchange, so the room looks free then."))
            continue
        if expected.start is None:
            continue
        got_start, got_end = _instant(actual.get("start")), _instant(actual.get("end"))
        if (got_start, got_end) != (expected.start, expected.end) or actual.get("subject") != expected.subject:
            rows.append(Drift(change="mismatched", event_id=actual["id"], **base,
                              detail=f"Exchange has “{actual.get('subject')}” {_text(got_start)} – {_text(got_end)}."))
    for key, item in seen.items():
        if key in accounted:
            continue
        rows.append(Drift(space.id, mailbox, "extra", "exchange", None, key, item.get("subject") or "",
                          _text(_instant(item.get("start"))), _text(_instant(item.get("end"))),
                          "Written by MyGov, but no active reservation or published event matches it."))
    return rows


def check_rooms(graph: GraphClient, *, days: int = DEFAULT_DAYS) -> dict[str, Any]:
    """Compare every room and store the result on its space (this commits); a summary for the job."""
    start = utcnow().replace(second=0, microsecond=0)
    end = start + timedelta(days=days)
    summary = {"rooms": 0, "missing": 0, "extra": 0, "mismatched": 0, "overlaps": 0, "errors": 0}
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    for space in room_spaces():
        summary["rooms"] += 1
        try:
            rows = compare_space(graph, space, start, end)
        except GraphError as error:
            summary["errors"] += 1
            space.calendar_check = {"start": start.isoformat(), "end": end.isoformat(), "rows": [],
                                    "error": f"{error.code}: {error.message}"}
        else:
            for row in rows:
                summary[row.change] += 1
            space.calendar_check = {"start": start.isoformat(), "end": end.isoformat(),
                                    "rows": [asdict(row) for row in rows]}
        overlaps = [{"kind": o.kind, "source_id": o.source_id, "words": o.words(zone)} for o in sync_space(space)]
        summary["overlaps"] += len(overlaps)
        space.calendar_check = {**space.calendar_check, "overlaps": overlaps}
        space.calendar_checked_at = utcnow()
    db.session.commit()
    return summary


def stored_drift() -> list[Drift]:
    rows: list[Drift] = []
    for space in room_spaces():
        rows += [Drift(**row) for row in (space.calendar_check or {}).get("rows", [])]
    return rows


def fingerprint(rows: list[Drift]) -> str:
    """Names exactly the repairs shown, so a confirmation can't apply a different set."""
    return hashlib.sha256("\n".join(sorted(r.key for r in rows if not r.queued)).encode()).hexdigest()


def repair(graph: GraphClient, confirmed: str, actor: Employee, *, days: int = DEFAULT_DAYS) -> int:
    """Queue the repairs staff confirmed; refuse if the calendars changed since they looked."""
    check_rooms(graph, days=days)
    rows = [row for row in stored_drift() if not row.queued]
    if fingerprint(rows) != confirmed:
        raise FacilitiesError("The room calendars or MyGov changed since that check. "
                              "Review the differences below and confirm again.")
    if not rows:
        return 0
    entry = audit(actor, "facilities.reconcile_room_calendars", "facility_space", "all", None, {
        change: sum(r.change == change for r in rows) for change in ("missing", "extra", "mismatched")
    } | {"changes": [asdict(r) for r in rows][:200]})
    for number, row in enumerate(rows):
        _queue_repair(row, f"room-reconcile-{entry.id}-{number}")
    for space in room_spaces():
        check = dict(space.calendar_check or {})
        check["rows"] = [{**row, "queued": True} for row in check.get("rows", [])]
        space.calendar_check = check
    db.session.commit()
    return len(rows)


def _queue_repair(row: Drift, key: str) -> None:
    if row.change == "extra":
        target = hashlib.sha256(f"{row.mailbox}|{row.event_id}".encode()).hexdigest()[:40]
        record_operation("delete_event", target_type="room_calendar_event", target_id=target,
                         payload={"mailbox": row.mailbox, "event_id": row.event_id}, idempotency_key=key)
        return
    if row.source == "reservation":
        reservation = db.session.get(Reservation, row.source_id)
        payload = create_event_payload(reservation, key)
    else:
        event = db.session.get(CalendarEvent, row.source_id)
        payload = {"mailbox": row.mailbox, "event": graph_event(event, blocks_room=True)}
    if row.change == "mismatched":
        payload = {"mailbox": row.mailbox, "event_id": row.event_id, "event": {
            k: v for k, v in payload["event"].items() if k in ("subject", "start", "end", "showAs", "categories")}}
    kind = "create_event" if row.change == "missing" else "update_event"
    record_operation(kind, target_type=row.source, target_id=row.source_id, payload=payload, idempotency_key=key)
