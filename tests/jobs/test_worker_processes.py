"""Real `python worker.py` processes on a real Redis: throttling storms, flushes, kills, two schedulers."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.models import GraphOperation, ServerJob, ServerJobRun
from tests.conftest import TEST_SECRET
from tests.jobs.helpers import ROOM, lose_redis_data, record_event

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]


def _environment(app, tenant, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MYGOV_", "ENTRA_", "GRAPH_"))}
    env.update(
        MYGOV_ENV="test", SECRET_KEY=TEST_SECRET, DATABASE_URL=app.config["DATABASE_URL"],
        REDIS_URL=app.config["REDIS_URL"], PYTHONUNBUFFERED="1", **tenant.graph_environment, **extra,
    )
    return env


@contextmanager
def workers(app, tenant, *args: str, count: int = 1, **extra: str) -> Iterator[list[subprocess.Popen]]:
    processes = [
        subprocess.Popen([sys.executable, "worker.py", *args], cwd=ROOT, env=_environment(app, tenant, **extra),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(count)
    ]
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # see other processes' commits
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _count(status: str) -> int:
    return db.session.scalar(select(func.count()).select_from(GraphOperation).where(GraphOperation.status == status))


def _blocked_events(tenant) -> list[str]:
    return [e["subject"] for e in tenant.events(ROOM) if e.get("subject", "").startswith("Blocked")]


def test_two_hundred_operations_under_a_throttling_storm_each_take_effect_once(app, tenant):
    tenant.throttle(share=0.3, retry_after=1)
    for n in range(200):
        record_event("create_event", f"storm-{n}", f"storm-{n}", subject=f"Blocked {n}")
    db.session.commit()
    with workers(app, tenant, "--no-scheduler", count=2):
        assert wait_until(lambda: _count("done") == 200, timeout=180), f"done: {_count('done')}"
    tenant.clear_faults()
    events = _blocked_events(tenant)
    assert sorted(events) == sorted(f"Blocked {n}" for n in range(200))
    assert tenant.throttled_count() > 0


def test_a_redis_flush_with_work_pending_loses_nothing(app, tenant):
    db.session.add(ServerJob(name="Sweeper", action="outbox.sweep", parameters={}, interval_seconds=10))
    for n in range(50):
        record_event("create_event", f"flush-{n}", f"flush-{n}", subject=f"Blocked {n}")
    db.session.commit()
    lose_redis_data()
    with workers(app, tenant):
        assert wait_until(lambda: _count("done") == 50, timeout=90), f"done: {_count('done')}"
    assert len(_blocked_events(tenant)) == 50


def test_a_worker_killed_mid_operation_completes_it_once_after_restart(app, tenant):
    db.session.add(ServerJob(name="Sweeper", action="outbox.sweep", parameters={}, interval_seconds=10))
    operation = record_event("create_event", "killed", "killed-1")
    db.session.commit()
    tenant.add_latency(3000)  # long enough to be killed while the call is in flight
    with workers(app, tenant, "--no-scheduler", OUTBOX_LEASE_SECONDS="5", OUTBOX_JOB_TIMEOUT_SECONDS="4") as (worker,):
        assert wait_until(lambda: db.session.get(GraphOperation, operation.id).status == "running", timeout=30)
        time.sleep(1.0)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    tenant.clear_faults()
    with workers(app, tenant, OUTBOX_LEASE_SECONDS="5", OUTBOX_JOB_TIMEOUT_SECONDS="4"):
        assert wait_until(lambda: db.session.get(GraphOperation, operation.id).status == "done", timeout=60)
    assert db.session.get(GraphOperation, operation.id).attempts >= 2
    assert _blocked_events(tenant) == ["Blocked"]


def test_two_schedulers_run_each_due_job_once(app, tenant):
    db.session.add(ServerJob(name="Counter", action="graph.list_users", parameters={}, interval_seconds=10))
    db.session.commit()
    with workers(app, tenant, "--scheduler-only", count=2), workers(app, tenant, "--no-scheduler"):
        assert wait_until(
            lambda: db.session.scalar(select(func.count()).select_from(ServerJobRun)
                                      .where(ServerJobRun.status == "succeeded")) >= 2, timeout=60)
    runs = db.session.scalars(select(ServerJobRun).order_by(ServerJobRun.due_at)).all()
    due_times = [run.due_at for run in runs]
    assert len(due_times) == len(set(due_times))
    assert all(b - a >= timedelta(seconds=9) for a, b in zip(due_times, due_times[1:]))


def test_create_then_delete_back_to_back_leaves_no_event(app, tenant):
    pairs = []
    for n in range(20):
        create = record_event("create_event", f"pair-{n}", f"pair-{n}-create", subject=f"Blocked {n}")
        db.session.commit()
        delete = record_event("delete_event", f"pair-{n}", f"pair-{n}-delete")
        db.session.commit()
        pairs.append((create.id, delete.id))
    with workers(app, tenant, "--no-scheduler", count=2):
        assert wait_until(lambda: _count("pending") + _count("running") == 0, timeout=60)
    assert _blocked_events(tenant) == []
    for create_id, delete_id in pairs:
        assert db.session.get(GraphOperation, delete_id).status == "done"
        assert db.session.get(GraphOperation, create_id).status in ("done", "superseded")


def test_healthz_stops_counting_a_worker_as_soon_as_it_is_killed(app, tenant):
    client = app.test_client()
    with workers(app, tenant, "--no-scheduler") as (worker,):
        assert wait_until(lambda: client.get("/healthz").status_code == 200, timeout=30)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["checks"]["worker"]["alive"] == 0
