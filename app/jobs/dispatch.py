"""Putting outbox operations on their RQ queue."""
from __future__ import annotations

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app.jobs.queue import get_queue, get_redis

WAITING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def job_id_for(operation_id: int) -> str:
    return f"graph-operation-{operation_id}"


def enqueue_operation(operation_id: int, queue: str) -> None:
    # A duplicate queue entry is harmless: the worker claims the row atomically before running it.
    get_queue(queue).enqueue(
        "app.jobs.tasks.run_operation", operation_id,
        job_id=job_id_for(operation_id), result_ttl=0, failure_ttl=24 * 3600,
    )


def is_queued(operation_id: int) -> bool:
    """Whether a queue entry for the operation is waiting or running (False after a Redis flush)."""
    try:
        job = Job.fetch(job_id_for(operation_id), connection=get_redis())
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) in WAITING
