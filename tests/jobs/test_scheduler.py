"""Server jobs: schedules are data, each due time runs once, runs are recorded."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine
from flask_migrate import upgrade
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.actions import ACTIONS, Param, ParameterError, action, validate_parameters
from app.jobs.models import ServerJob, ServerJobRun
from app.jobs.queue import get_queue
from app.jobs.scheduler import execute_run, next_run_after, tick
from app.jobs.schedules import ScheduleChange, ScheduleError, change_schedule
from tests.factories import make_employee

REQUIRED_ACTIONS = {
    "graph.sync_users_delta", "graph.get_user_photo", "graph.list_users", "graph.process_mailbox_ndrs",
    "graph.create_event", "graph.create_list_item", "graph.send_mail", "graph.send_template", "teams.notify",
    "outbox.sweep", "access.reconcile_groups", "facilities.reconcile_room_calendars",
}


@action("test.count", description="counts its runs", params=(Param("label", required=True),))
def _count(params):
    _count.calls.append(params["label"])
    return {"label": params["label"]}


_count.calls = []


@action("test.explode", description="always fails")
def _explode(params):
    raise RuntimeError("the directory is on fire")


def _job(**fields) -> ServerJob:
    values = {"name": "Counter", "action": "test.count", "parameters": {"label": "x"}, "interval_seconds": 60}
    values.update(fields)
    job = ServerJob(**values)
    db.session.add(job)
    db.session.commit()
    return job


def test_every_required_action_is_registered(app):
    assert REQUIRED_ACTIONS <= set(ACTIONS)


def test_the_migration_installs_the_default_jobs(tmp_path):
    from tests.conftest import make_test_app

    fresh = make_test_app(f"sqlite:///{tmp_path}/fresh.db")
    with fresh.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"))
        jobs = {job.name: job.action for job in db.session.scalars(select(ServerJob))}
        db.engine.dispose()
    assert jobs["Outbox sweeper"] == "outbox.sweep"
    assert jobs["Directory sync"] == "graph.sync_users_delta"
    assert set(jobs.values()) <= set(ACTIONS)


def test_cron_runs_in_the_city_time_zone(app):
    job = _job(cron="0 7 * * *", interval_seconds=None)
    # 06:30 in Chicago on a winter day is 12:30 UTC; 07:00 local is 13:00 UTC.
    after = datetime(2026, 12, 1, 12, 30, tzinfo=timezone.utc)
    assert next_run_after(job, after) == datetime(2026, 12, 1, 13, 0, tzinfo=timezone.utc)


def test_a_due_job_is_run_and_recorded(app):
    job = _job(next_run_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    claimed = tick()
    assert len(claimed) == 1
    assert get_queue("default").count == 1
    assert execute_run(claimed[0]).startswith("succeeded")
    run = db.session.get(ServerJobRun, claimed[0])
    assert run.status == "succeeded" and run.summary == {"label": "x"} and run.finished_at
    db.session.refresh(job)
    assert job.last_status == "succeeded" and job.next_run_at > datetime.now(timezone.utc)
    assert tick() == []  # not due again until its interval has passed


def test_a_failing_action_records_the_error(app):
    job = _job(action="test.explode", parameters={}, next_run_at=datetime.now(timezone.utc))
    run_id = tick()[0]
    assert execute_run(run_id).startswith("failed")
    run = db.session.get(ServerJobRun, run_id)
    assert run.status == "failed" and "the directory is on fire" in run.error
    db.session.refresh(job)
    assert job.last_status == "failed"


def test_two_schedulers_run_each_due_time_once(app):
    _job(next_run_at=datetime.now(timezone.utc) - timedelta(seconds=5))
    _job(name="Counter 2", next_run_at=datetime.now(timezone.utc) - timedelta(seconds=5))
    claimed: list[int] = []
    barrier = threading.Barrier(4)

    def scheduler() -> None:
        with app.app_context():
            barrier.wait()
            claimed.extend(tick())
            db.session.remove()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 2
    assert db.session.scalar(select(func.count()).select_from(ServerJobRun)) == 2


def test_a_new_job_gets_one_first_run_when_two_schedulers_see_it_at_once(app):
    from sqlalchemy import update

    from app.jobs.scheduler import _first_run

    job = _job()  # next_run_at unset: new, or just edited
    first, second = datetime.now(timezone.utc), datetime.now(timezone.utc) + timedelta(seconds=7)
    assert job.next_run_at is None  # this scheduler read it unset...
    with db.engine.begin() as other:  # ...while another scheduler set its first run
        other.execute(update(ServerJob).where(ServerJob.id == job.id).values(next_run_at=first))
    assert _first_run(job.id, second) == first
    assert db.session.get(ServerJob, job.id).next_run_at == first


def test_a_schedule_change_is_a_database_edit_picked_up_at_the_next_tick(app):
    job = _job(interval_seconds=3600, next_run_at=datetime.now(timezone.utc) + timedelta(hours=1))
    admin = make_employee("Ops Admin")
    assert tick() == []
    change_schedule(job, ScheduleChange("* * * * *", None, True, {"label": "y"}), admin)
    now = datetime.now(timezone.utc)
    with time_machine.travel(now + timedelta(minutes=2)):
        assert tick() == []  # computes the next run from the new cron: the next minute
    with time_machine.travel(now + timedelta(minutes=4)):
        claimed = tick()
    assert len(claimed) == 1


def test_bad_schedules_and_parameters_are_refused_with_reasons(app):
    job = _job()
    admin = make_employee("Ops Admin")
    with pytest.raises(ScheduleError) as refused:
        change_schedule(job, ScheduleChange("every tuesday", None, True, {"label": "x", "colour": "red"}), admin)
    assert set(refused.value.errors) == {"cron", "parameters.colour"}
    db.session.rollback()
    with pytest.raises(ScheduleError) as both:
        change_schedule(job, ScheduleChange("* * * * *", 60, True, {"label": "x"}), admin)
    assert {"cron", "interval_seconds"} <= set(both.value.errors)
    db.session.rollback()
    assert db.session.get(ServerJob, job.id).interval_seconds == 60


def test_parameters_are_validated_against_the_action():
    with pytest.raises(ParameterError) as missing:
        validate_parameters("test.count", {})
    assert missing.value.errors == {"label": "is required"}
    with pytest.raises(ParameterError):
        validate_parameters("graph.create_list_item", {"site_id": "s", "list_id": "l", "fields": "not a dict"})
    assert validate_parameters("test.count", {"label": "ok"}) == {"label": "ok"}
