"""Operations staff perform on server jobs and outbox rows (the ops screens call these)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter
from sqlalchemy import delete, select

from app.access.models import AuditEntry
from app.extensions import db
from app.jobs.actions import ParameterError, load_actions, validate_parameters
from app.jobs.dispatch import enqueue_operation
from app.jobs.models import GraphOperation, ServerJob, ServerJobRun
from app.jobs.runner import release_next
from app.jobs.scheduler import run_now
from app.people.models import Employee

MIN_INTERVAL_SECONDS = 10


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
    cron, interval, parameters = _checked(job.action, change, {})
    before = _schedule_of(job)
    job.cron, job.interval_seconds = cron, interval
    job.enabled, job.parameters = change.enabled, parameters
    job.next_run_at = None  # recomputed from the new schedule
    _audit(actor, "server_job.schedule", "server_job", job.id, before, _schedule_of(job))
    db.session.commit()


def create_job(name: str, action_name: str, change: ScheduleChange, actor: Employee) -> ServerJob:
    """A new scheduled job running one of the actions the code offers."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name or len(name) > 128:
        errors["name"] = "Give the job a name of at most 128 characters."
    elif db.session.scalar(select(ServerJob.id).where(ServerJob.name == name)) is not None:
        errors["name"] = "Another job has this name."
    if action_name not in load_actions():
        errors["action"] = "Choose one of the actions in the list."
        action_name = ""
    cron, interval, parameters = _checked(action_name, change, errors)
    job = ServerJob(name=name, action=action_name, cron=cron, interval_seconds=interval, enabled=change.enabled,
                    parameters=parameters)
    db.session.add(job)
    db.session.flush()
    _audit(actor, "server_job.create", "server_job", job.id, None, {"name": name, "action": action_name,
                                                                     **_schedule_of(job)})
    db.session.commit()
    return job


def set_enabled(job: ServerJob, enabled: bool, actor: Employee) -> None:
    """Pause or resume a job; a paused job keeps its schedule and history."""
    before = {"enabled": job.enabled}
    job.enabled, job.next_run_at = enabled, None
    _audit(actor, "server_job.resume" if enabled else "server_job.pause", "server_job", job.id, before,
           {"enabled": enabled})
    db.session.commit()


def remove_job(job: ServerJob, actor: Employee) -> None:
    """Delete a job and its run history; refused while a run is under way."""
    if any(run.status == "running" for run in job.runs):
        raise ScheduleError({"remove": "A run of this job is under way: remove it once the run has finished."})
    _audit(actor, "server_job.remove", "server_job", job.id, {"name": job.name, "action": job.action,
                                                              **_schedule_of(job)}, None)
    db.session.execute(delete(ServerJobRun).where(ServerJobRun.job_id == job.id))
    db.session.delete(job)
    db.session.commit()


def run_job_now(job: ServerJob, actor: Employee) -> int | None:
    """Start a run now, audited: who asked for it and when."""
    run_id = run_now(job)
    _audit(actor, "server_job.run_now", "server_job", job.id, None, {"name": job.name, "run": run_id})
    db.session.commit()
    return run_id


def prune_runs(now: datetime, days: int) -> int:
    """Delete the runs finished more than `days` ago; the jobs' last-run fields stay."""
    cutoff = now - timedelta(days=days)
    result = db.session.execute(delete(ServerJobRun).where(
        ServerJobRun.finished_at.is_not(None), ServerJobRun.finished_at < cutoff))
    db.session.commit()
    return result.rowcount or 0


def _checked(action_name: str, change: ScheduleChange,
             errors: dict[str, str]) -> tuple[str | None, int | None, dict[str, Any]]:
    """The cron, interval and parameters of a schedule, or ScheduleError naming each wrong field."""
    cron = (change.cron or "").strip() or None
    if bool(cron) == bool(change.interval_seconds):
        errors["schedule"] = "Give either a cron expression or an interval, not both."
    if cron and not croniter.is_valid(cron):
        errors["cron"] = "This is not a valid cron expression (minute hour day month weekday)."
    if change.interval_seconds is not None and change.interval_seconds < MIN_INTERVAL_SECONDS:
        errors["interval_seconds"] = f"The interval must be at least {MIN_INTERVAL_SECONDS} seconds."
    parameters = change.parameters
    if action_name:
        try:
            parameters = validate_parameters(action_name, change.parameters)
        except ParameterError as error:
            errors.update({f"parameters.{k}": v for k, v in error.errors.items()})
    if errors:
        raise ScheduleError(errors)
    return cron, None if cron else change.interval_seconds, parameters


def _reset(operation: GraphOperation) -> dict[str, Any]:
    before = {"status": operation.status, "attempts": operation.attempts}
    operation.status, operation.attempts = "pending", 0
    operation.next_attempt_at = operation.lease_expires_at = None
    return before


def retry_operation(operation: GraphOperation, actor: Employee) -> None:
    """Give a failed or dead operation a fresh set of attempts, now."""
    if operation.status not in ("failed", "dead"):
        raise ValueError("Only failed or dead operations can be retried.")
    before = _reset(operation)
    _audit(actor, "outbox.retry", "graph_operation", operation.id, before, {"status": "pending"})
    db.session.commit()
    enqueue_operation(operation.id, operation.queue)


def retry_all_dead(actor: Employee) -> int:
    """Every dead operation gets a fresh set of attempts: one audit entry names them all."""
    dead = db.session.scalars(select(GraphOperation).where(GraphOperation.status == "dead")
                              .order_by(GraphOperation.id).with_for_update()).all()
    if not dead:
        return 0
    for operation in dead:
        _reset(operation)
    _audit(actor, "outbox.retry_all_dead", "graph_operation", "dead", {"count": len(dead)},
           {"operations": [operation.id for operation in dead][:500]})
    db.session.commit()
    for operation in dead:
        enqueue_operation(operation.id, operation.queue)
    return len(dead)


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
