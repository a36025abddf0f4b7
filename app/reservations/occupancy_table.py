"""Keeping the room occupancy table (occupancy_models) in step with what occupies each room.

Reservations hold their row from the transaction that creates them until they are denied or
cancelled, and it moves with them (a session listener: whatever code changes a reservation). Events published to a room and closed days are rewritten per space by `sync_space`, in
the transaction of the change (publish, closure) and daily by the `reservations.extend_occupancy`
job, which carries series forward as the booking horizon moves. An occurrence that would overlap
something already held is not written unless staff exempted it (`grant_exemption`, audited);
`sync_space` returns those overlaps for room reconcile to report. Closures never push a booking out:
a closed day is held around the bookings already on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

from app.access.services import audit
from app.extensions import db
from app.facilities.models import FacilitySpace
from app.people.models import Employee
from app.reservations import occupancy
from app.reservations.models import Reservation
from app.reservations.occupancy_models import OccupancyExemption, RoomOccupancy
from app.sqltypes import utcnow

DEFAULT_HORIZON_DAYS = 60
_CHANGED = "mygov_reservations_changed"
KIND_WORDS = {occupancy.RESERVATION: "reservation", occupancy.EVENT: "event", occupancy.CLOSURE: "closure"}


@dataclass(frozen=True)
class Overlap:
    """Something MyGov writes to the room that overlaps what already holds it, with no exemption."""

    space_id: int
    kind: str
    source_id: int
    label: str
    start: datetime
    end: datetime

    def words(self, zone: ZoneInfo) -> str:
        return (f"{self.label} ({KIND_WORDS[self.kind]}) on {self.start.astimezone(zone):%A, %B %-d at %-I:%M %p} "
                "overlaps a booking already in the room")


@event.listens_for(Session, "after_flush")
def _note_reservations(session: Session, _context: object) -> None:
    changed = session.info.setdefault(_CHANGED, {})
    changed.update({row: False for row in (*session.new, *session.dirty) if isinstance(row, Reservation)})
    changed.update({row: True for row in session.deleted if isinstance(row, Reservation)})


@event.listens_for(Session, "after_flush_postexec")
def _follow_reservations(session: Session, _context: object) -> None:
    """Whatever code creates, moves, approves or cancels a reservation, its occupancy row follows in the
    same transaction (COMMIT flushes until clean), so the exclusion constraint always sees it."""
    for reservation, deleted in session.info.pop(_CHANGED, {}).items():
        rows = list(session.scalars(select(RoomOccupancy).where(
            RoomOccupancy.kind == occupancy.RESERVATION, RoomOccupancy.source_id == reservation.id)))
        if reservation.is_active and not deleted:
            if not rows:
                session.add(RoomOccupancy(
                    space_id=reservation.space_id, kind=occupancy.RESERVATION, source_id=reservation.id,
                    start_at=reservation.start_at, end_at=reservation.end_at,
                    exemption_id=_exemptions(reservation.space_id).get((occupancy.RESERVATION, reservation.id))))
            for row in rows:
                row.space_id, row.start_at, row.end_at = reservation.space_id, reservation.start_at, reservation.end_at
        else:
            for row in rows:
                session.delete(row)


@event.listens_for(Session, "after_rollback")
def _forget_reservations(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def _exemptions(space_id: int) -> dict[tuple[str, int], int]:
    return {(row.kind, row.source_id): row.id for row in db.session.scalars(
        select(OccupancyExemption).where(OccupancyExemption.space_id == space_id))}


def sync_space(space: FacilitySpace) -> list[Overlap]:
    """Rewrite the space's event and closure rows from today to its horizon; returns what overlaps."""
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    config = space.reservation_config
    horizon = config.horizon_days if config else DEFAULT_HORIZON_DAYS
    today = utcnow().astimezone(zone).date()
    start = datetime.combine(today, time.min, tzinfo=zone)
    end = datetime.combine(today + timedelta(days=horizon + 1), time.min, tzinfo=zone)
    db.session.execute(delete(RoomOccupancy).where(
        RoomOccupancy.space_id == space.id, RoomOccupancy.kind.in_((occupancy.EVENT, occupancy.CLOSURE))))
    exempt = _exemptions(space.id)
    held = [(row.start_at, row.end_at) for row in db.session.scalars(select(RoomOccupancy).where(
        RoomOccupancy.space_id == space.id, RoomOccupancy.exemption_id.is_(None),
        RoomOccupancy.end_at > start, RoomOccupancy.start_at < end))]
    overlaps: list[Overlap] = []
    for found in occupancy.published_events(space, start, end):
        exemption = exempt.get((found.kind, found.source_id))
        if exemption is None and any(found.overlaps(a, b) for a, b in held):
            overlaps.append(Overlap(space.id, found.kind, found.source_id, found.label, found.start, found.end))
            continue
        _add(space, found, found.start, found.end, exemption)
        if exemption is None:
            held.append((found.start, found.end))
    for found in occupancy.closed(space, start, end):
        exemption = exempt.get((found.kind, found.source_id))
        pieces = [(found.start, found.end)] if exemption else _around(found.start, found.end, held)
        for piece_start, piece_end in pieces:
            _add(space, found, piece_start, piece_end, exemption)
    db.session.flush()
    return overlaps


def _add(space: FacilitySpace, found: occupancy.Occupant, start: datetime, end: datetime,
         exemption: int | None) -> None:
    db.session.add(RoomOccupancy(space_id=space.id, kind=found.kind, source_id=found.source_id,
                                 start_at=start, end_at=end, exemption_id=exemption))


def _around(start: datetime, end: datetime, held: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """[start, end) minus the held stretches."""
    pieces, cursor = [], start
    for held_start, held_end in sorted(held):
        if held_end <= cursor or held_start >= end:
            continue
        if held_start > cursor:
            pieces.append((cursor, held_start))
        cursor = max(cursor, held_end)
    if cursor < end:
        pieces.append((cursor, end))
    return pieces


def event_overlaps(event_id: int, address: str | None) -> list[tuple[FacilitySpace, Overlap]]:
    """The occurrences of one published event that overlap what holds its room(s), not exempted: what
    the calendar editor warns about after a save (read-only)."""
    found: list[tuple[FacilitySpace, Overlap]] = []
    for space in _rooms_at(address):
        if (occupancy.EVENT, event_id) in _exemptions(space.id):
            continue
        held = [(row.start_at, row.end_at) for row in db.session.scalars(select(RoomOccupancy).where(
            RoomOccupancy.space_id == space.id, RoomOccupancy.exemption_id.is_(None),
            (RoomOccupancy.kind != occupancy.EVENT) | (RoomOccupancy.source_id != event_id)))]
        start = min((a for a, _ in held), default=utcnow())
        end = max((b for _, b in held), default=utcnow())
        for occurrence in occupancy.published_events(space, start, end):
            if occurrence.source_id == event_id and any(occurrence.overlaps(a, b) for a, b in held):
                found.append((space, Overlap(space.id, occurrence.kind, event_id, occurrence.label,
                                             occurrence.start, occurrence.end)))
    return found


def _rooms_at(address: str | None) -> list[FacilitySpace]:
    if not address:
        return []
    return list(db.session.scalars(select(FacilitySpace).where(
        func.lower(FacilitySpace.exchange_resource_mailbox) == address.lower())))


def sync_mailbox(address: str) -> list[Overlap]:
    """After a change to events published to this address: sync the room(s) with that mailbox."""
    overlaps: list[Overlap] = []
    for space in _rooms_at(address):
        overlaps += sync_space(space)
    return overlaps


def sync_all_rooms() -> dict[str, int]:
    """The daily job: carry every room's series and closures forward to its horizon (commits)."""
    rooms = list(db.session.scalars(select(FacilitySpace).where(
        FacilitySpace.exchange_resource_mailbox.is_not(None), FacilitySpace.archived_at.is_(None))))
    overlaps = sum(len(sync_space(space)) for space in rooms)
    db.session.commit()
    return {"rooms": len(rooms), "overlaps": overlaps}


def grant_exemption(space: FacilitySpace, kind: str, source_id: int, reason: str,
                    actor: Employee) -> OccupancyExemption:
    """Staff let one occupant overlap others in this space: recorded, audited, honoured by the constraint.

    The caller checks that the actor holds a facilities role; the reason is required.
    """
    if not reason.strip():
        raise ValueError("An exemption needs a reason.")
    exemption = OccupancyExemption(space_id=space.id, kind=kind, source_id=source_id, reason=reason.strip(),
                                   granted_by_id=actor.id)
    db.session.add(exemption)
    db.session.flush()
    db.session.execute(update(RoomOccupancy).where(
        RoomOccupancy.space_id == space.id, RoomOccupancy.kind == kind, RoomOccupancy.source_id == source_id,
    ).values(exemption_id=exemption.id))
    audit(actor, "reservations.occupancy_exemption", "facility_space", space.id, None,
          {"kind": kind, "source_id": source_id, "reason": exemption.reason})
    sync_space(space)
    return exemption
