"""Closures: days a space, a facility or (the city's holiday list) every facility is closed.

Adding one audits it and, in the same transaction, writes a busy all-day event to each affected
room's Exchange calendar through the outbox (one event per room; a closure repeating on some
weekdays is a weekly series); removing one deletes those events. Existing bookings are never
cancelled here: the closure refuses new bookings, and staff see the ones it overlaps.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select

from app.access.services import audit
from app.calendars.exchange import GRAPH_DAYS
from app.extensions import db
from app.facilities.forms import FieldErrors
from app.facilities.models import CLOSURE_OUTBOX_TARGET, Closure, Facility, FacilitySpace
from app.jobs.outbox import record_operation
from app.people.models import Employee
from app.reservations.models import ACTIVE_STATUSES, Reservation
from app.web.params import whole_number

TARGET_TYPE = CLOSURE_OUTBOX_TARGET
# Not the plain "MyGov" category: room reconcile compares those with reservations and events.
CATEGORY = "MyGov closure"
MAX_REASON = 200
MAX_DAYS = 366
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


ClosureInvalid = FieldErrors  # the name the views use


@dataclass(frozen=True)
class ClosureInput:
    reason: str
    first_day: date
    last_day: date
    weekdays: list[int] | None
    space_id: int | None


def parse_closure(form: Mapping[str, Any], space_ids: set[int]) -> ClosureInput:
    """The closure typed on the screen; raises ClosureInvalid with one message per field."""
    errors: dict[str, str] = {}
    reason = " ".join(str(form.get("reason") or "").split())
    if not reason:
        errors["reason"] = "Say why it is closed, such as Thanksgiving or Floor repairs. Citizens see it."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"The reason must be {MAX_REASON} characters or fewer."
    first = _day(form.get("first_day"), "first_day", "first day", errors)
    last = _day(form.get("last_day"), "last_day", "last day", errors) if form.get("last_day") else first
    if first and last and last < first:
        errors["last_day"] = "The last day cannot be before the first day."
    elif first and last and (last - first).days >= MAX_DAYS:
        errors["last_day"] = "A closure can last at most a year. Add another one for the next year."
    raw_weekdays = form.getlist("weekdays") if hasattr(form, "getlist") else form.get("weekdays") or []
    weekdays = sorted({n for w in raw_weekdays if (n := whole_number(str(w))) and 1 <= n <= 7}) or None
    if weekdays and first and last and not any(
            (first + timedelta(days=n)).isoweekday() in weekdays for n in range(min((last - first).days + 1, 7))):
        errors["weekdays"] = "None of those weekdays falls between the first and last day."
    raw_space = str(form.get("space_id") or "")
    space_id = whole_number(raw_space)
    if space_id is not None and space_id not in space_ids:
        errors["space_id"] = "Choose a space of this facility, or the whole facility."
    if errors or first is None or last is None:
        raise ClosureInvalid(errors)
    return ClosureInput(reason, first, last, weekdays, space_id)


def _day(raw: Any, field: str, words: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        errors[field] = f"Enter the {words} as year-month-day, for example 2026-12-24."
        return None


def add_closure(facility: Facility | None, data: ClosureInput, actor: Employee) -> Closure:
    """Save the closure, audit it and write it to the rooms' calendars (one transaction)."""
    closure = Closure(facility=facility, space_id=data.space_id, reason=data.reason, first_day=data.first_day,
                      last_day=data.last_day, weekdays=data.weekdays, created_by_id=actor.id)
    db.session.add(closure)
    db.session.flush()
    entry = audit(actor, "facilities.closure.add", "closure", closure.id, None, _described(closure))
    for space in affected_rooms(closure):
        record_operation("create_event", target_type=TARGET_TYPE, target_id=f"{closure.id}:{space.id}",
                         payload={"mailbox": space.exchange_resource_mailbox, "event": exchange_event(closure)},
                         idempotency_key=f"closure-{closure.id}-room-{space.id}-create-audit-{entry.id}")
    _hold(closure)
    db.session.commit()
    return closure


def remove_closure(closure: Closure, actor: Employee) -> None:
    """Open again: delete the closure and its events (each delete waits for its create)."""
    entry = audit(actor, "facilities.closure.remove", "closure", closure.id, _described(closure), None)
    for space in affected_rooms(closure):
        record_operation("delete_event", target_type=TARGET_TYPE, target_id=f"{closure.id}:{space.id}",
                         payload={"mailbox": space.exchange_resource_mailbox},
                         idempotency_key=f"closure-{closure.id}-room-{space.id}-delete-audit-{entry.id}")
    rooms = affected_rooms(closure)
    db.session.delete(closure)
    db.session.flush()
    _hold(closure, rooms)
    db.session.commit()


def _hold(closure: Closure, rooms: list[FacilitySpace] | None = None) -> None:
    """Rewrite the rooms' occupancy rows (closed days are held around existing bookings)."""
    from app.reservations.occupancy_table import sync_space  # reservations reads closures: import late

    for space in rooms if rooms is not None else affected_rooms(closure):
        sync_space(space)


def _described(closure: Closure) -> dict[str, Any]:
    return {"reason": closure.reason, "first_day": closure.first_day.isoformat(),
            "last_day": closure.last_day.isoformat(), "weekdays": closure.weekdays,
            "facility_id": closure.facility_id, "space_id": closure.space_id}


def affected_rooms(closure: Closure) -> list[FacilitySpace]:
    """The spaces with a room mailbox the closure covers."""
    query = select(FacilitySpace).where(FacilitySpace.exchange_resource_mailbox.is_not(None),
                                        FacilitySpace.archived_at.is_(None))
    if closure.space_id is not None:
        query = query.where(FacilitySpace.id == closure.space_id)
    elif closure.facility_id is not None:
        query = query.where(FacilitySpace.facility_id == closure.facility_id)
    return list(db.session.scalars(query.order_by(FacilitySpace.id)))


def closures_of(space: FacilitySpace, first: date, last: date) -> list[Closure]:
    """Closures covering the space (its own, its facility's, the city's holidays) that touch the days."""
    return list(db.session.scalars(select(Closure).where(
        Closure.first_day <= last, Closure.last_day >= first,
        or_(Closure.space_id == space.id,
            (Closure.space_id.is_(None)) & (Closure.facility_id == space.facility_id),
            Closure.facility_id.is_(None)),
    ).order_by(Closure.first_day, Closure.id)))


def closed_days(space: FacilitySpace, first: date, last: date) -> list[tuple[date, str]]:
    """(day, reason) for each closed day of the space between first and last, in order."""
    found = {day: closure.reason for closure in closures_of(space, first, last) for day in closure.days(first, last)}
    return sorted(found.items())


def when_words(closure: Closure) -> str:
    """Thursday, December 24, 2026 · December 24 to 31, 2026 · Mondays, January 4 to 25, 2027"""
    first, last = closure.first_day, closure.last_day
    span = (first.strftime("%A, %B %-d, %Y") if first == last
            else f"{first:%B %-d} to {last:%B %-d, %Y}" if first.year == last.year
            else f"{first:%B %-d, %Y} to {last:%B %-d, %Y}")
    if closure.weekdays and first != last:
        return " and ".join(WEEKDAY_NAMES[d - 1] + "s" for d in closure.weekdays) + ", " + span
    return span


def exchange_event(closure: Closure) -> dict[str, Any]:
    """A busy all-day event (a weekly series when it repeats on some weekdays) for a room's calendar."""
    zone = current_app.config["CITY_TIMEZONE"]
    days = closure.days(closure.first_day, closure.last_day)
    start = days[0] if closure.weekdays else closure.first_day
    end = start + timedelta(days=1) if closure.weekdays else closure.last_day + timedelta(days=1)
    body: dict[str, Any] = {
        "subject": f"Closed: {closure.reason}",
        "body": {"contentType": "text",
                 "content": "Closure set in MyGov. Reservations are refused on these days; remove it in MyGov."},
        "isAllDay": True,
        "start": {"dateTime": f"{start.isoformat()}T00:00:00", "timeZone": zone},
        "end": {"dateTime": f"{end.isoformat()}T00:00:00", "timeZone": zone},
        "showAs": "busy",
        "isReminderOn": False,
        "categories": [CATEGORY],
    }
    if closure.weekdays:
        body["recurrence"] = {
            "pattern": {"type": "weekly", "interval": 1, "firstDayOfWeek": "sunday",
                        "daysOfWeek": [GRAPH_DAYS[d - 1] for d in closure.weekdays]},
            "range": {"type": "endDate", "startDate": start.isoformat(), "endDate": closure.last_day.isoformat(),
                      "recurrenceTimeZone": zone},
        }
    return body


def bookings_on(closure: Closure, zone: ZoneInfo) -> list[Reservation]:
    """Active bookings on the closure's days (kept: staff decide about each)."""
    spaces = [space.id for space in affected_rooms(closure)]
    if not spaces:
        return []
    start = datetime.combine(closure.first_day, time.min, tzinfo=zone)
    end = datetime.combine(closure.last_day + timedelta(days=1), time.min, tzinfo=zone)
    candidates = db.session.scalars(select(Reservation).where(
        Reservation.space_id.in_(spaces), Reservation.status.in_(ACTIVE_STATUSES),
        Reservation.start_at < end, Reservation.end_at > start).order_by(Reservation.start_at))
    days = set(closure.days(closure.first_day, closure.last_day))
    return [r for r in candidates
            if days & {r.start_at.astimezone(zone).date(), (r.end_at - timedelta(seconds=1)).astimezone(zone).date()}]
