"""Built ICS feeds kept in Redis until their events change: subscribers poll often, feeds change rarely.

The key names everything the body depends on (the newest change and the number of events, the
calendar's own fields, the filter, the day — cancelled events leave once past — and the host), so
a change makes a new key and the old body simply expires. With the body the entry keeps its
strong ETag and its Last-Modified, so a poll costs two small queries and one Redis round trip.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from app.calendars import queries
from app.calendars.scope import Scope
from app.jobs.queue import get_redis

FEED_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class BuiltFeed:
    etag: str
    last_modified: datetime | None
    load_body: Callable[[], bytes]  # a 304 never needs the body: it is fetched only when sent


class _Recent:
    """The last few bodies in this process, by the same versioned key: a poll then skips Redis's
    round trip of several megabytes. A key names its data, so an entry here is never stale."""

    def __init__(self, size: int) -> None:
        self.size, self.entries = size, OrderedDict[str, tuple[str, datetime | None, bytes]]()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[str, datetime | None, bytes] | None:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
            return self.entries.get(key)

    def put(self, key: str, entry: tuple[str, datetime | None, bytes]) -> None:
        with self.lock:
            self.entries[key] = entry
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


recent = _Recent(size=8)


def cached_feed(scope: Scope, variant: str, build: Callable[[], tuple[bytes, date | None]]) -> BuiltFeed:
    """`build` returns the body and the last day a cancelled event left it (None if none did)."""
    changed, count = queries.feed_version(scope.calendars)
    parts = [scope.slug, variant, str(changed), str(count), scope.today.isoformat()]
    parts += [f"{c.id}:{c.slug}:{c.name}:{c.description}:{c.time_zone}" for c in scope.calendars]
    key = "mygov:ics:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    hit = recent.get(key)
    if hit is not None:
        body = hit[2]
        return BuiltFeed(hit[0], hit[1], lambda: body)
    redis = get_redis()
    etag, modified = redis.hmget(key, ("etag", "modified"))
    if etag is not None:
        stamp = datetime.fromtimestamp(float(modified), timezone.utc) if modified else None

        def from_redis() -> bytes:
            body = redis.hget(key, "body")
            if body is None:  # expired in between: build it again
                return cached_feed(scope, variant, build).load_body()
            recent.put(key, (etag.decode(), stamp, body))
            return body

        return BuiltFeed(etag.decode(), stamp, from_redis)
    body, last_drop = build()
    last_modified = _last_modified(changed, last_drop, scope)
    etag_text = hashlib.sha256(body).hexdigest()
    entry = {"body": body, "etag": etag_text, "modified": str(last_modified.timestamp()) if last_modified else ""}
    with redis.pipeline() as pipe:
        pipe.hset(key, mapping=entry)
        pipe.expire(key, FEED_CACHE_SECONDS)
        pipe.execute()
    recent.put(key, (etag_text, last_modified, body))
    return BuiltFeed(etag_text, last_modified, lambda: body)


def _last_modified(changed: datetime | None, last_drop: date | None, scope: Scope) -> datetime | None:
    """The newest change of the calendars' events, or the day a cancelled event left, if later."""
    stamps = [changed] if changed else []
    if last_drop is not None:
        stamps.append(datetime.combine(last_drop, time.min, scope.zone).astimezone(timezone.utc))
    return max(stamps, default=None)
