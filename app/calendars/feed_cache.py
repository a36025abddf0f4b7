"""Built ICS feeds kept in Redis until their events change: subscribers poll often, feeds change rarely.

The key names everything the body depends on (the newest change and the number of events, the
calendar's own fields, the filter, the day — cancelled events leave once past — and the host), so
a change makes a new key and the old body simply expires. With the body the entry keeps its
strong ETag and its Last-Modified, so a poll costs two small queries and one Redis round trip.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Callable

from app.calendars import queries
from app.calendars.scope import Scope
from app.jobs.queue import get_redis

FEED_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class BuiltFeed:
    body: bytes
    etag: str
    last_modified: datetime | None


def cached_feed(scope: Scope, variant: str, build: Callable[[], tuple[bytes, date | None]]) -> BuiltFeed:
    """`build` returns the body and the last day a cancelled event left it (None if none did)."""
    changed, count = queries.feed_version(scope.calendars)
    parts = [scope.slug, variant, str(changed), str(count), scope.today.isoformat()]
    parts += [f"{c.id}:{c.slug}:{c.name}:{c.description}:{c.time_zone}" for c in scope.calendars]
    key = "mygov:ics:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    redis = get_redis()
    body, etag, modified = redis.hmget(key, ("body", "etag", "modified"))
    if body is not None and etag is not None:
        stamp = float(modified) if modified else None
        return BuiltFeed(body, etag.decode(), datetime.fromtimestamp(stamp, timezone.utc) if stamp else None)
    body, last_drop = build()
    last_modified = _last_modified(changed, last_drop, scope)
    etag_text = hashlib.sha256(body).hexdigest()
    entry = {"body": body, "etag": etag_text, "modified": str(last_modified.timestamp()) if last_modified else ""}
    with redis.pipeline() as pipe:
        pipe.hset(key, mapping=entry)
        pipe.expire(key, FEED_CACHE_SECONDS)
        pipe.execute()
    return BuiltFeed(body, etag_text, last_modified)


def _last_modified(changed: datetime | None, last_drop: date | None, scope: Scope) -> datetime | None:
    """The newest change of the calendars' events, or the day a cancelled event left, if later."""
    stamps = [changed] if changed else []
    if last_drop is not None:
        stamps.append(datetime.combine(last_drop, time.min, scope.zone).astimezone(timezone.utc))
    return max(stamps, default=None)
