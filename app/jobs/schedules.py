"""Operations staff perform on server jobs: create, reschedule, pause, remove, run now; and pruning runs.

This side of the jobs package schedules jobs; it never imports the outbox side (services, runner).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from croniter import croniter
from flask import current_app
from sqlalchemy import delete, func, select

from app.access.services import audit
from app.extensions import db
from app.jobs.actions import Param, ParameterError, action, load_actions, validate_parameters
from app.jobs.models import ServerJob, ServerJobRun
from app.jobs.scheduler import claim_run
from app.people.models import Employee
from app.sqltypes import utcnow

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


def _schedule_of(job: ServerJob) -> dict[str, Any]:
    return {"name": job.name, "action": job.action, "cron": job.cron, "interval_seconds": job.interval_seconds,
            "enabled": job.enabled, "parameters": dict(job.parameters or {})}


def _checked(action_name: str, change: ScheduleChange, errors: dict[str, str]) -> tuple[str | None, dict[str, Any]]:
    cron = (change.cron or "").strip() or None
    if bool(cron) == bool(change.interval_seconds):
        errors["cron"] = errors["interval_seconds"] = "Give either a cron expression or an interval, not both."
    if cron and not croniter.is_valid(cron):
        errors["cron"] = "This is not a valid cron expression (minute hour day month weekday)."
    if change.interval_seconds is not None and change.interval_seconds < MIN_INTERVAL_SECONDS:
        errors["interval_seconds"] = f"The interval must be at least {MIN_INTERVAL_SECONDS} seconds."
    elif change.interval_seconds is not None and change.interval_seconds > MAX_INTERVAL_SECONDS:
        errors["interval_seconds"] = "The interval must be at most a year (31,622,400 seconds); use cron for rarer runs."
    parameters = change.parameters
    if action_name in load_actions():
        try:
            parameters = validate_parameters(action_name, change.parameters)
        except ParameterError as error:
            errors.update({f"parameters.{k}": v for k, v in error.errors.items()})
    return cron, parameters


def create_job(name: str, action_name: str, change: ScheduleChange, actor: Employee) -> ServerJob:
    """A new job running one of the registered actions; raises ScheduleError naming each field."""
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = "Give the job a name staff will recognise."
    elif len(name) > 128:
        errors["name"] = "Keep the name under 128 characters."
    elif db.session.scalar(select(ServerJob.id).where(func.lower(ServerJob.name) == name.lower())):
        errors["name"] = "Another job already has this name."
    if action_name not in load_actions():
        errors["action"] = "Choose one of the actions listed."
    cron, parameters = _checked(action_name, change, errors)
    if errors:
        raise ScheduleError(errors)
    job = ServerJob(name=name, action=action_name, cron=cron, interval_seconds=None if cron else change.interval_seconds,
                    enabled=change.enabled, parameters=parameters, next_run_at=None)
    db.session.add(job)
    db.session.flush()
    audit(actor, "server_job.create", "server_job", job.id, None, _schedule_of(job))
    db.session.commit()
    return job


def change_schedule(job: ServerJob, change: ScheduleChange, actor: Employee) -> None:
    """Validate and save a new schedule; the scheduler picks it up on its next tick."""
    errors: dict[str, str] = {}
    cron, parameters = _checked(job.action, change, errors)
    if errors:
        raise ScheduleError(errors)
    before = _schedule_of(job)
    job.cron, job.interval_seconds = cron, None if cron else change.interval_seconds
    job.enabled, job.parameters = change.enabled, parameters
    job.next_run_at = None  # recomputed from the new schedule
    audit(actor, "server_job.schedule", "server_job", job.id, before, _schedule_of(job))
    db.session.commit()


def set_paused(job: ServerJob, paused: bool, actor: Employee) -> None:
    if job.enabled != paused:
        return
    job.enabled = not paused
    job.next_run_at = None
    audit(actor, "server_job.pause" if paused else "server_job.resume", "server_job", job.id,
          {"enabled": paused}, {"enabled": not paused})
    db.session.commit()


def remove_job(job: ServerJob, actor: Employee) -> None:
    """Delete the job and its run history; refused while a run is in progress."""
    running = db.session.scalar(select(func.count()).select_from(ServerJobRun).where(
        ServerJobRun.job_id == job.id, ServerJobRun.status == "running"))
    if running:
        raise ScheduleError({"remove": "The job is running now. Pause it, wait for the run to finish, then remove it."})
    audit(actor, "server_job.remove", "server_job", job.id, _schedule_of(job), None)
    db.session.execute(delete(ServerJobRun).where(ServerJobRun.job_id == job.id))
    db.session.delete(job)
    db.session.commit()


def run_now(job: ServerJob, actor: Employee) -> int | None:
    """Queue a run at once (audited); None if a run for this very instant exists already."""
    audit(actor, "server_job.run_now", "server_job", job.id, None, {"name": job.name, "action": job.action})
    db.session.commit()
    return claim_run(job.id, utcnow())


def prune_runs(keep_days: int) -> int:
    """Delete finished runs that started more than `keep_days` days ago; returns how many."""
    cutoff = utcnow() - timedelta(days=keep_days)
    deleted = db.session.execute(delete(ServerJobRun).where(
        ServerJobRun.started_at < cutoff, ServerJobRun.status != "running")).rowcount
    db.session.commit()
    return deleted


@action(
    "jobs.prune_runs", description="Delete server job runs older than a number of days.",
    params=(Param("keep_days", "int", help="days of run history to keep; default SERVER_JOB_RUN_RETENTION_DAYS"),),
)
def prune_runs_action(params: dict[str, Any]) -> dict[str, Any]:
    keep_days = params.get("keep_days") or int(current_app.config["SERVER_JOB_RUN_RETENTION_DAYS"])
    return {"deleted": prune_runs(max(int(keep_days), 1)), "kept_days": keep_days}
