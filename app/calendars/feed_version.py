"""When a calendar's events last changed, without asking the database on every poll.

The answer (max updated_at and count, from queries.feed_version) is kept in Redis under the
calendar's generation number; every commit that touches one of its events, overrides or the
calendar itself bumps the generation after COMMIT, so the next poll asks the database again. A
reader that computed its answer before that commit stores it under the old generation, which no
one reads any more: a stale version can never be served.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.calendars import queries
from app.calendars.models import Calendar, CalendarEvent, CalendarEventOverride
from app.jobs.queue import get_redis

log = logging.getLogger(__name__)
_TOUCHED = "mygov_calendars_touched"
VERSION_SECONDS = 300  # bounds staleness should Redis miss a bump (it is down at commit time)


def _generation_key(calendar_id: int) -> str:
    return f"mygov:ics:generation:{calendar_id}"


def generations(calendars: list[Calendar]) -> str:
    """The calendars' change generations, e.g. "3.17,5.2": different after any commit touching them."""
    values = get_redis().mget([_generation_key(c.id) for c in calendars]) if calendars else []
    return ",".join(f"{c.id}.{(g or b'0').decode()}" for c, g in zip(calendars, values))


def current_version(calendars: list[Calendar]) -> tuple[datetime | None, int]:
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
        elif isinstance(row, CalendarEventOverride) and row.event is not None:
            touched.add(row.event.calendar_id)
        elif isinstance(row, Calendar):
            touched.add(row.id)


@event.listens_for(Session, "after_commit")
def _bump_touched(session: Session) -> None:
    touched = {calendar_id for calendar_id in session.info.pop(_TOUCHED, set()) if calendar_id is not None}
    if not touched:
        return
    try:
        with get_redis().pipeline() as pipe:
            for calendar_id in touched:
                pipe.incr(_generation_key(calendar_id))
            pipe.execute()
    except Exception:  # the change is committed; feeds catch up when the stored version expires
        log.exception("could not mark calendars %s changed for their feeds", sorted(touched))


@event.listens_for(Session, "after_rollback")
def _forget_touched(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
