"""Built ICS feeds kept in Redis until their events change: subscribers poll often, feeds change rarely.

The key names everything the body depends on (the newest change and the number of events, the
calendar's own fields, the filter, the day — cancelled events leave once past — and the host), so
a change makes a new key and the old body simply expires. With the body the entry keeps its
strong ETag and its Last-Modified. A poll costs a few small Redis round trips (which calendar the
address names, app/calendars/catalog.py; its version, feed_version.py) and, for a 200, the body
from this process's memory or from Redis: no database query.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from app.calendars.feed_version import current_version
from app.calendars.scope import Scope
from app.jobs.queue import get_redis

FEED_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class BuiltFeed:
    etag: str  # of the plain body; the gzip representation's is this + "-gzip"
    last_modified: datetime | None
    load: Callable[[str], bytes]  # "body" or "gzip"; a 304 never loads either


class _Recent:
    """The last few feeds in this process, by the same versioned key: a poll then skips Redis's
    round trip of megabytes. A key names its data, so an entry here is never stale."""

    def __init__(self, size: int) -> None:
        self.size, self.entries = size, OrderedDict[str, dict[str, bytes]]()
        self.lock = threading.Lock()

    def get(self, key: str) -> dict[str, bytes] | None:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
            return self.entries.get(key)

    def put(self, key: str, entry: dict[str, bytes]) -> None:
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
    changed, count = current_version(scope.calendars)
    parts = [scope.slug, variant, str(changed), str(count), scope.today.isoformat()]
    parts += [f"{c.id}:{c.slug}:{c.name}:{c.description}:{c.time_zone}" for c in scope.calendars]
    key = "mygov:ics:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    entry = recent.get(key)
    if entry is None:
        redis = get_redis()
        etag, modified = redis.hmget(key, ("etag", "modified"))
        if etag is None:
            entry = _build(key, changed, scope, build)
        else:
            def from_redis(field: str) -> bytes:
                found = dict(zip(("etag", "modified", "body", "gzip"),
                                 redis.hmget(key, ("etag", "modified", "body", "gzip"))))
                if found["body"] is None:  # expired in between: build it again
                    return _build(key, changed, scope, build)[field]
                recent.put(key, found)
                return found[field]

            return BuiltFeed(etag.decode(), _stamp(modified), from_redis)
    return BuiltFeed(entry["etag"].decode(), _stamp(entry["modified"]), entry.__getitem__)


def _build(key: str, changed: datetime | None, scope: Scope, build: Callable[[], tuple[bytes, date | None]]
           ) -> dict[str, bytes]:
    body, last_drop = build()
    last_modified = _last_modified(changed, last_drop, scope)
    entry = {"body": body, "etag": hashlib.sha256(body).hexdigest().encode(),
             "modified": str(last_modified.timestamp()).encode() if last_modified else b"",
             # mtime=0: the compressed body is byte-identical too, so its ETag is stable.
             "gzip": gzip.compress(body, compresslevel=6, mtime=0)}
    redis = get_redis()
    with redis.pipeline() as pipe:
        pipe.hset(key, mapping=entry)
        pipe.expire(key, FEED_CACHE_SECONDS)
        pipe.execute()
    recent.put(key, entry)
    return entry


def _stamp(modified: bytes | None) -> datetime | None:
    return datetime.fromtimestamp(float(modified), timezone.utc) if modified else None


def _last_modified(changed: datetime | None, last_drop: date | None, scope: Scope) -> datetime | None:
    """The newest change of the calendars' events, or the day a cancelled event left, if later."""
    stamps = [changed] if changed else []
    if last_drop is not None:
        stamps.append(datetime.combine(last_drop, time.min, scope.zone).astimezone(timezone.utc))
    return max(stamps, default=None)
