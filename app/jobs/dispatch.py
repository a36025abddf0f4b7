"""Putting outbox operations on their RQ queue."""
from __future__ import annotations

from app.jobs.queue import get_queue


def enqueue_operation(operation_id: int, queue: str) -> None:
    # A duplicate queue entry is harmless: the worker claims the row atomically before running it.
    get_queue(queue).enqueue("app.jobs.tasks.run_operation", operation_id)
