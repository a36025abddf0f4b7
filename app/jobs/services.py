"""Operations staff perform on server jobs and outbox rows (the ops screens call these)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from croniter import croniter

from app.access.models import AuditEntry
from app.extensions import db
from app.jobs.actions import ParameterError, validate_parameters
from app.jobs.dispatch import enqueue_operation
from app.jobs.models import GraphOperation, ServerJob
from app.jobs.runner import release_next
from app.people.models import Employee

MIN_INTERVAL_SECONDS = 10
MAX_INTERVAL_SECONDS = 366 * 24 * 3600  # a year; also keeps the value within an INTEGER column


class ScheduleError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class ScheduleChange:
    cron: str | None
    interval_seconds: int | None
    enabled: bool
    parameters: dict[str, Any]


def _audit(actor: Employee, action: str, target_type: str, target_id: int | str, before: dict, after: dict) -> None:
    db.session.add(AuditEntry(
        actor_id=actor.id, actor_label=actor.display_name, action=action,
        target_type=target_type, target_id=str(target_id), before=before, after=after,
    ))


def _schedule_of(job: ServerJob) -> dict[str, Any]:
    return {"cron": job.cron, "interval_seconds": job.interval_seconds, "enabled": job.enabled,
            "parameters": dict(job.parameters or {})}


def change_schedule(job: ServerJob, change: ScheduleChange, actor: Employee) -> None:
    """Validate and save a new schedule; the scheduler picks it up on its next tick."""
    errors: dict[str, str] = {}
    cron = (change.cron or "").strip() or None
    if bool(cron) == bool(change.interval_seconds):  # the message belongs to both fields
        errors["cron"] = errors["interval_seconds"] = "Give either a cron expression or an interval, not both."
    if cron and not croniter.is_valid(cron):
        errors["cron"] = "This is not a valid cron expression (minute hour day month weekday)."
    if change.interval_seconds is not None and change.interval_seconds < MIN_INTERVAL_SECONDS:
        errors["interval_seconds"] = f"The interval must be at least {MIN_INTERVAL_SECONDS} seconds."
    elif change.interval_seconds is not None and change.interval_seconds > MAX_INTERVAL_SECONDS:
        errors["interval_seconds"] = "The interval must be at most a year (31,622,400 seconds); use cron for rarer runs."
    try:
        parameters = validate_parameters(job.action, change.parameters)
    except ParameterError as error:
        errors.update({f"parameters.{k}": v for k, v in error.errors.items()})
        parameters = change.parameters
    if errors:
        raise ScheduleError(errors)
    before = _schedule_of(job)
    job.cron, job.interval_seconds = cron, None if cron else change.interval_seconds
    job.enabled, job.parameters = change.enabled, parameters
    job.next_run_at = None  # recomputed from the new schedule
    _audit(actor, "server_job.schedule", "server_job", job.id, before, _schedule_of(job))
    db.session.commit()


def retry_operation(operation: GraphOperation, actor: Employee) -> None:
    """Give a failed or dead operation a fresh set of attempts, now."""
    if operation.status not in ("failed", "dead"):
        raise ValueError("Only failed or dead operations can be retried.")
    before = {"status": operation.status, "attempts": operation.attempts}
    operation.status, operation.attempts = "pending", 0
    operation.next_attempt_at = operation.lease_expires_at = None
    _audit(actor, "outbox.retry", "graph_operation", operation.id, before, {"status": "pending"})
    db.session.commit()
    enqueue_operation(operation.id, operation.queue)


def retry_waiting_for_it(mailbox: str, actor: Employee) -> int:
    """IT says the mailbox is in MyGov's Exchange scope now: its waiting writes are tried at once."""
    from app.jobs.queries import waiting_for_it

    rows = waiting_for_it(mailbox).get(mailbox.lower(), [])
    for operation in rows:
        operation.next_attempt_at = None
    if rows:
        _audit(actor, "outbox.retry_waiting_for_it", "mailbox", mailbox.lower(), {},
               {"operations": [operation.id for operation in rows]})
    db.session.commit()
    for operation in rows:
        enqueue_operation(operation.id, operation.queue)
    return len(rows)


def cancel_operation(operation: GraphOperation, actor: Employee) -> None:
    """Give up on an operation that has not run (or cannot succeed); Microsoft 365 is left as it is."""
    if operation.status not in ("pending", "failed", "dead"):
        raise ValueError("Only pending, failed or dead operations can be cancelled.")
    before = {"status": operation.status}
    operation.status = "superseded"
    operation.next_attempt_at = None
    operation.last_error_code = "cancelled"
    operation.last_error_message = f"cancelled by {actor.display_name}"
    _audit(actor, "outbox.cancel", "graph_operation", operation.id, before, {"status": "superseded"})
    db.session.commit()
    release_next(operation)
