"""When a room's public availability page last changed, for the page cache (app/web/page_cache.py).

Every commit that touches a reservation, the room, its rules or its facility bumps the room's (or
the facility's) generation after COMMIT (a closure or a calendar event bumps every room's), so the next visitor gets a page rendered afresh: MyGov's
own bookings show at once. What Exchange says is bounded separately: a page is never kept longer
than the free/busy answer it shows (exchange.room_bookings limits its lifetime).
"""
from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.calendars.models import CalendarEvent, CalendarEventOverride
from app.facilities.models import Closure, Facility, FacilitySpace, ReservationConfig
from app.jobs.queue import get_redis
from app.reservations import rooms
from app.reservations.models import Reservation
from app.web.lookups import bump

log = logging.getLogger(__name__)
_TOUCHED = "mygov_spaces_touched"
_ROOMS_TOUCHED = "mygov_room_rows_touched"


def _key(kind: str, row_id: int) -> str:
    return f"mygov:availability:generation:{kind}:{row_id}"


# Closures and events published to rooms change few pages, rarely: one generation for all rooms.
_SHARED = ("occupancy", 0)


def space_generation(space_id: int, facility_id: int) -> str:
    values = get_redis().mget([_key("space", space_id), _key("facility", facility_id), _key(*_SHARED)])
    return ".".join((value or b"0").decode() for value in values)


def space_changed(space_id: int) -> None:
    """Something outside MyGov's database changed the room (an Outlook booking Graph notified)."""
    get_redis().incr(_key("space", space_id))


@event.listens_for(Session, "after_flush")
def _note_touched(session: Session, _context: object) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, (FacilitySpace, ReservationConfig, Facility)):
            session.info[_ROOMS_TOUCHED] = True  # an address, an archive or a lead time may have changed
        if isinstance(row, (Reservation, ReservationConfig)) and row.space_id is not None:
            touched.add(("space", row.space_id))
        elif isinstance(row, FacilitySpace) and row.id is not None:
            touched.add(("space", row.id))
        elif isinstance(row, Facility) and row.id is not None:
            touched.add(("facility", row.id))
        elif isinstance(row, (Closure, CalendarEvent, CalendarEventOverride)):
            touched.add(_SHARED)


@event.listens_for(Session, "after_commit")
def _bump_touched(session: Session) -> None:
    touched = session.info.pop(_TOUCHED, set())
    room_rows = session.info.pop(_ROOMS_TOUCHED, False)
    if not touched and not room_rows:
        return
    try:
        with get_redis().pipeline() as pipe:
            for kind, row_id in touched:
                pipe.incr(_key(kind, row_id))
            if room_rows:
                bump(pipe, rooms.CATALOG)
            pipe.execute()
    except Exception:  # committed; cached pages expire within PUBLIC_PAGE_CACHE_SECONDS
        log.exception("could not mark rooms %s changed for their availability pages", sorted(touched))


@event.listens_for(Session, "after_rollback")
def _forget_touched(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_ROOMS_TOUCHED, None)
