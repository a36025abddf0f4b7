"""Server jobs scheduled from the database: cron in the city's zone or an interval.

Several schedulers may tick at once; each due time runs once, because a run is claimed by
inserting ServerJobRun(job_id, due_at) under a unique constraint. A scheduler that was down runs
a missed job once and moves on (no backlog storm).
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from croniter import croniter
from flask import Flask, current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.jobs.actions import load_actions
from app.jobs.models import ServerJob, ServerJobRun
from app.jobs.queue import get_queue
from app.sqltypes import utcnow

log = logging.getLogger(__name__)


def next_run_after(job: ServerJob, after: datetime) -> datetime:
    if job.interval_seconds:
        return after + timedelta(seconds=job.interval_seconds)
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    local = croniter(job.cron, after.astimezone(zone)).get_next(datetime)
    return local.astimezone(timezone.utc)


def tick(now: datetime | None = None) -> list[int]:
    """Claim and enqueue every due job; returns the ids of the runs this scheduler claimed."""
    now = now or utcnow()
    claimed: list[int] = []
    # Plain values, read once: another scheduler may move next_run_at while this one works.
    due = list(db.session.execute(
        select(ServerJob.id, ServerJob.next_run_at).where(
            ServerJob.enabled.is_(True),
            or_(ServerJob.next_run_at.is_(None), ServerJob.next_run_at <= now),
        ).order_by(ServerJob.id)
    ))
    db.session.commit()
    for job_id, due_at in due:
        if due_at is None:  # new, edited or re-enabled: first run at its next slot
            due_at = _first_run(job_id, now)
            if due_at is None or due_at > now:
                continue
        run_id = claim_run(job_id, due_at)
        if run_id is not None:
            claimed.append(run_id)
    return claimed


def _first_run(job_id: int, now: datetime) -> datetime | None:
    """Set the first due time once: a second scheduler's UPDATE finds it set and reads the first's."""
    job = db.session.get(ServerJob, job_id)
    if job is None:
        return None
    if job.next_run_at is None:
        first = now if job.interval_seconds else next_run_after(job, now)
        db.session.execute(
            update(ServerJob).where(ServerJob.id == job_id, ServerJob.next_run_at.is_(None))
            .values(next_run_at=first).execution_options(synchronize_session=False)
        )
        db.session.commit()
        db.session.refresh(job)
    due_at = job.next_run_at
    db.session.commit()
    return due_at


def claim_run(job_id: int, due_at: datetime) -> int | None:
    """Insert the run for this due time; only one scheduler's insert succeeds."""
    run = ServerJobRun(job_id=job_id, due_at=due_at, status="running")
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    job = db.session.get(ServerJob, job_id)
    db.session.execute(
        update(ServerJob)
        .where(ServerJob.id == job_id, ServerJob.next_run_at == due_at)
        .values(next_run_at=next_run_after(job, max(due_at, utcnow())))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    enqueue_run(run.id, job.action)
    return run.id


def run_now(job: ServerJob) -> int | None:
    return claim_run(job.id, utcnow())


def enqueue_run(run_id: int, action_name: str) -> None:
    action = load_actions().get(action_name)
    queue = action.queue if action else "default"
    get_queue(queue).enqueue("app.jobs.tasks.run_server_job", run_id, result_ttl=0)


def execute_run(run_id: int) -> str:
    run = db.session.get(ServerJobRun, run_id)
    if run is None or run.status != "running" or run.finished_at is not None:
        return "skipped"
    job = run.job
    action = load_actions().get(job.action)
    started = time.monotonic()
    run.started_at = utcnow()
    db.session.commit()
    try:
        if action is None:
            raise LookupError(f"no action named {job.action!r}")
        summary = action.run(dict(job.parameters or {}))
    except Exception as error:
        db.session.rollback()
        log.exception("server job %s (%s) failed", job.name, job.action)
        run, job = db.session.get(ServerJobRun, run_id), db.session.get(ServerJob, job.id)
        run.status, run.error, summary = "failed", f"{type(error).__name__}: {error}"[:4000], None
    else:
        run.status, run.summary = "succeeded", summary
    run.finished_at = utcnow()
    job.last_run_at = run.started_at
    job.last_status = run.status
    job.last_duration_seconds = round(time.monotonic() - started, 3)
    job.last_summary = run.error or _describe(summary)
    db.session.commit()
    return f"{run.status} {job.last_summary}"


def _describe(summary: dict | None) -> str:
    return ", ".join(f"{k}: {v}" for k, v in (summary or {}).items()) or "done"


class SchedulerThread(threading.Thread):
    """Ticks once a second: due server jobs, and outbox retries whose time has come."""

    def __init__(self, app: Flask, interval: float = 1.0) -> None:
        super().__init__(name="mygov-scheduler", daemon=True)
        self.app = app
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        from app.jobs.sweeper import enqueue_due_retries

        while not self.stopping.is_set():
            with self.app.app_context():
                try:
                    tick()
                    enqueue_due_retries(utcnow())
                except Exception:  # keep ticking: a database blip must not stop scheduling
                    db.session.rollback()
                    log.exception("scheduler tick failed")
                finally:
                    db.session.remove()
            self.stopping.wait(self.interval)

    def stop(self, timeout: float = 5) -> None:
        self.stopping.set()
        self.join(timeout)
