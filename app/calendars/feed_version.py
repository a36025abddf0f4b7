"""When a calendar's events last changed, without asking the database on every poll.

The answer (max updated_at and count, from queries.feed_version) is kept in Redis under the
calendar's generation number; every commit that touches one of its events, overrides or the
calendar itself bumps the generation after COMMIT, so the next poll asks the database again. A
reader that computed its answer before that commit stores it under the old generation, which no
one reads any more: a stale version can never be served.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timezone

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.calendars import catalog, queries
from app.calendars.catalog import CalendarSummary
from app.calendars.models import Calendar, CalendarCategory, CalendarEvent, CalendarEventOverride
from app.jobs.queue import get_redis
from app.web.lookups import bump

log = logging.getLogger(__name__)
_TOUCHED = "mygov_calendars_touched"
_CATALOG_TOUCHED = "mygov_calendar_rows_touched"
VERSION_SECONDS = 300  # bounds staleness should Redis miss a bump (it is down at commit time)


def _generation_key(calendar_id: int) -> str:
    return f"mygov:ics:generation:{calendar_id}"


def generations(calendars: Sequence[CalendarSummary]) -> str:
    """The calendars' change generations, e.g. "3.17,5.2": different after any commit touching them."""
    values = get_redis().mget([_generation_key(c.id) for c in calendars]) if calendars else []
    return ",".join(f"{c.id}.{(g or b'0').decode()}" for c, g in zip(calendars, values))


def current_version(calendars: Sequence[CalendarSummary]) -> tuple[datetime | None, int]:
    redis = get_redis()
    key = "mygov:ics:version:" + generations(calendars)
    stored = redis.get(key)
    if stored is not None:
        changed, count = stored.decode().split("|")
        return (datetime.fromtimestamp(float(changed), timezone.utc) if changed else None), int(count)
    changed, count = queries.feed_version(calendars)
    redis.set(key, f"{changed.timestamp() if changed else ''}|{count}", ex=VERSION_SECONDS)
    return changed, count


@event.listens_for(Session, "after_flush")
def _note_touched(session: Session, _context: object) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, CalendarEvent):
            touched.add(row.calendar_id)
        elif isinstance(row, CalendarCategory):  # the filters list them; a rename renames events in bulk
            touched.add(row.calendar_id)
        elif isinstance(row, CalendarEventOverride) and row.event is not None:
            touched.add(row.event.calendar_id)
        elif isinstance(row, Calendar):
            touched.add(row.id)
            session.info[_CATALOG_TOUCHED] = True


@event.listens_for(Session, "after_commit")
def _bump_touched(session: Session) -> None:
    touched = {calendar_id for calendar_id in session.info.pop(_TOUCHED, set()) if calendar_id is not None}
    calendar_rows = session.info.pop(_CATALOG_TOUCHED, False)
    if not touched and not calendar_rows:
        return
    try:
        with get_redis().pipeline() as pipe:
            for calendar_id in touched:
                pipe.incr(_generation_key(calendar_id))
            if calendar_rows:  # a name, slug, zone or public flag may have changed: addresses look again
                bump(pipe, catalog.CATALOG)
            pipe.execute()
    except Exception:  # the change is committed; feeds catch up when the stored version expires
        log.exception("could not mark calendars %s changed for their feeds", sorted(touched))


@event.listens_for(Session, "after_rollback")
def _forget_touched(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_CATALOG_TOUCHED, None)
