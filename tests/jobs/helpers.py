"""Running queued work in the test thread, the way a worker would."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from rq import Queue, SimpleWorker

from app.extensions import db
from app.graph.calendar import graph_datetime
from app.jobs.outbox import record_operation
from app.jobs.queue import QUEUE_NAMES, get_redis

ROOM = "rm_LIB_StudyRoomA@auburnal.gov"


def drain() -> None:
    """Run every queued job until the queues are empty (RQ's SimpleWorker in burst mode)."""
    connection = get_redis()
    worker = SimpleWorker([Queue(name, connection=connection) for name in QUEUE_NAMES], connection=connection)
    worker.work(burst=True, logging_level="WARNING")
    db.session.expire_all()


def lose_redis_data() -> None:
    """Redis losing everything, as far as this app can tell: its own database is emptied.

    FLUSHDB only, never the command that empties every database: the Redis server may be shared,
    and other databases are not ours.
    """
    get_redis().flushdb()


def event_body(subject: str, hours_from_now: int = 24) -> dict:
    start = (datetime.now(timezone.utc) + timedelta(hours=hours_from_now)).replace(minute=0, second=0, microsecond=0)
    return {"subject": subject, "start": graph_datetime(start), "end": graph_datetime(start + timedelta(hours=1)),
            "showAs": "busy"}


def record_event(kind: str, target: str, key: str, subject: str = "Blocked", mailbox: str = ROOM):
    payload = {"mailbox": mailbox}
    if kind != "delete_event":
        payload["event"] = event_body(subject)
    return record_operation(kind, target_type="test_booking", target_id=target, payload=payload, idempotency_key=key)
