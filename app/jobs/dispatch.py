"""Putting outbox operations on their RQ queue.

Each enqueue is its own RQ job (a fresh job id): re-using one id while a worker still runs the
previous job would let RQ's clean-up of the finished job delete the new one. A marker key says
"operation N has a queue entry"; a Redis flush drops markers and entries together, so the
sweeper sees exactly what was lost.
"""
from __future__ import annotations

import uuid

from flask import current_app

from app.jobs.queue import get_queue, get_redis

MARKER = "mygov:outbox:queued:{}"


def enqueue_operation(operation_id: int, queue: str) -> None:
    # A duplicate queue entry is harmless: the worker claims the row atomically before running it.
    job_id = f"graph-operation-{operation_id}-{uuid.uuid4().hex[:12]}"
    get_redis().set(MARKER.format(operation_id), job_id)
    get_queue(queue).enqueue(
        "app.jobs.tasks.run_operation", operation_id, job_id=job_id, result_ttl=0, failure_ttl=24 * 3600,
        # Shorter than the lease: a worker never outlives the claim it holds on the row.
        job_timeout=int(current_app.config["OUTBOX_JOB_TIMEOUT_SECONDS"]),
    )


def dequeued(operation_id: int) -> None:
    """The worker took the operation's queue entry."""
    get_redis().delete(MARKER.format(operation_id))


def is_queued(operation_id: int) -> bool:
    """Whether a queue entry for the operation is waiting (False after a Redis flush)."""
    return bool(get_redis().exists(MARKER.format(operation_id)))
