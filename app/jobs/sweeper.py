"""The sweeper: nothing pending is forgotten, nothing running is stuck.

It re-enqueues pending operations whose queue entry vanished (Redis flushed or restarted) and
releases operations whose worker died mid-run (lease expired). It runs as the `outbox.sweep`
server job; the scheduler also enqueues retries as they fall due.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.jobs.dispatch import enqueue_operation, is_queued
from app.jobs.models import GraphOperation
from app.sqltypes import utcnow

REQUEUE_GRACE = timedelta(seconds=2)  # the after-commit enqueue normally lands well within this


def release_expired_leases(now: datetime) -> int:
    stuck = list(db.session.scalars(
        select(GraphOperation).where(
            GraphOperation.status == "running", GraphOperation.lease_expires_at < now
        )
    ))
    max_attempts = int(current_app.config["OUTBOX_MAX_ATTEMPTS"])
    released: list[tuple[int, str]] = []
    for operation in stuck:
        if operation.attempts >= max_attempts:
            from app.jobs.runner import _fail

            _fail(operation, "dead", ("leaseExpired", "the worker stopped while running it, too many times"))
            continue
        operation.status = "pending"
        operation.lease_expires_at = None
        operation.next_attempt_at = None
        operation.last_error_code = "leaseExpired"
        operation.last_error_message = "the worker stopped while running it; released for another attempt"
        released.append((operation.id, operation.queue))
    db.session.commit()
    for operation_id, queue in released:
        enqueue_operation(operation_id, queue)
    return len(stuck)


def enqueue_due_retries(now: datetime) -> int:
    """Put retries whose time has come back on their queue (claimed by a conditional UPDATE)."""
    due = list(db.session.execute(
        select(GraphOperation.id, GraphOperation.queue, GraphOperation.next_attempt_at).where(
            GraphOperation.status == "pending", GraphOperation.next_attempt_at <= now
        ).order_by(GraphOperation.id).limit(500)
    ))
    enqueued = 0
    for operation_id, queue, due_at in due:
        taken = db.session.execute(
            update(GraphOperation)
            .where(GraphOperation.id == operation_id, GraphOperation.next_attempt_at == due_at)
            .values(next_attempt_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if taken == 1:
            enqueue_operation(operation_id, queue)
            enqueued += 1
    return enqueued


def requeue_lost(now: datetime) -> int:
    pending = list(db.session.execute(
        select(GraphOperation.id, GraphOperation.queue).where(
            GraphOperation.status == "pending",
            GraphOperation.next_attempt_at.is_(None),
            GraphOperation.updated_at < now - REQUEUE_GRACE,
        ).order_by(GraphOperation.id)
    ))
    requeued = 0
    for operation_id, queue in pending:
        if not is_queued(operation_id):
            enqueue_operation(operation_id, queue)
            requeued += 1
    return requeued


def sweep() -> dict[str, int]:
    now = utcnow()
    released = release_expired_leases(now)
    return {
        "released": released,
        "retries_enqueued": enqueue_due_retries(now),
        "requeued": requeue_lost(utcnow()),
    }
