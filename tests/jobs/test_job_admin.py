"""Admins create, pause and remove server jobs from the registered actions; run now is audited; history pruned."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.access.models import AuditEntry
from app.extensions import db
from app.jobs.models import ServerJob, ServerJobRun
from app.jobs.queue import get_queue
from app.jobs.scheduler import execute_run, tick
from app.sqltypes import utcnow
from tests.factories import csrf_headers, staff_client


def _actions(entries=None) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "server_job")
                                   .order_by(AuditEntry.id)))


def test_an_admin_creates_a_job_from_the_offered_actions_with_errors_on_fields(app):
    admin, _ = staff_client(app, "platform.admin")
    db.session.add(ServerJob(name="Directory sync", action="graph.sync_users_delta", parameters={}, cron="*/15 * * * *"))
    db.session.commit()
    form = admin.get("/staff/ops/jobs/new").get_data(as_text=True)
    assert "Delete server job runs older than a number of days." in form and 'value="jobs.prune_runs"' in form

    bad = admin.post("/staff/ops/jobs/new", headers=csrf_headers(admin), data={
        "name": "directory SYNC", "action": "os.system", "cron": "often", "parameters": "{}"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="name-error">Another job already has this name.' in text
    assert 'id="action-error">Choose one of the actions listed.' in text
    assert 'id="cron-error">This is not a valid cron expression' in text
    wrong_parameter = admin.post("/staff/ops/jobs/new", headers=csrf_headers(admin), data={
        "name": "Prune weekly", "action": "jobs.prune_runs", "interval_seconds": "3600",
        "parameters": '{"keep_days": "ten", "colour": 1}'})
    text = wrong_parameter.get_data(as_text=True)
    assert wrong_parameter.status_code == 422
    assert "Parameter keep_days must be a whole number." in text and "Parameter colour is not a parameter" in text
    assert db.session.scalar(select(func.count()).select_from(ServerJob)) == 1

    good = admin.post("/staff/ops/jobs/new", headers=csrf_headers(admin), data={
        "name": "Prune weekly", "action": "jobs.prune_runs", "cron": "0 4 * * 0", "enabled": "y",
        "parameters": '{"keep_days": 7}'})
    assert good.status_code == 303
    job = db.session.scalar(select(ServerJob).where(ServerJob.name == "Prune weekly"))
    assert (job.action, job.cron, job.enabled, job.parameters) == ("jobs.prune_runs", "0 4 * * 0", True, {"keep_days": 7})
    assert _actions() == ["server_job.create"]
    listing = admin.get("/staff/ops/jobs").get_data(as_text=True)
    assert "Prune weekly" in listing and "Delete server job runs older than a number of days." in listing
    assert "jobs.prune_runs" not in listing


def test_pause_resume_remove_and_run_now_are_audited(app):
    admin, _ = staff_client(app, "platform.admin", name="Ada Admin")
    job = ServerJob(name="Sweeper", action="outbox.sweep", parameters={}, interval_seconds=30)
    db.session.add(job)
    db.session.commit()
    assert admin.post(f"/staff/ops/jobs/{job.id}/pause", headers=csrf_headers(admin)).status_code == 303
    db.session.refresh(job)
    assert job.enabled is False and tick() == []
    assert "Paused" in admin.get(f"/staff/ops/jobs/{job.id}").get_data(as_text=True)
    assert admin.post(f"/staff/ops/jobs/{job.id}/resume", headers=csrf_headers(admin)).status_code == 303
    db.session.refresh(job)
    assert job.enabled is True

    assert admin.post(f"/staff/ops/jobs/{job.id}/run", headers=csrf_headers(admin)).status_code == 303
    assert get_queue("default").count == 1
    run = db.session.scalar(select(ServerJobRun).where(ServerJobRun.job_id == job.id))
    refused = admin.post(f"/staff/ops/jobs/{job.id}/remove", headers=csrf_headers(admin))
    assert refused.status_code == 303 and db.session.get(ServerJob, job.id) is not None
    execute_run(run.id)

    confirm = admin.get(f"/staff/ops/jobs/{job.id}/remove").get_data(as_text=True)
    assert "Remove “Sweeper”?" in confirm and "run history is deleted" in confirm
    assert admin.post(f"/staff/ops/jobs/{job.id}/remove", headers=csrf_headers(admin)).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(ServerJob)) == 0
    assert db.session.scalar(select(func.count()).select_from(ServerJobRun)) == 0
    assert _actions() == ["server_job.pause", "server_job.resume", "server_job.run_now", "server_job.remove"]
    removed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "server_job.remove"))
    assert removed.actor_label == "Ada Admin" and removed.before["action"] == "outbox.sweep"
    assert admin.post(f"/staff/ops/jobs/{job.id}/pause").status_code in (400, 404)


def test_run_history_is_pruned_after_a_configurable_age(app):
    job = ServerJob(name="Prune run history", action="jobs.prune_runs", parameters={}, cron="45 3 * * *")
    other = ServerJob(name="Sweeper", action="outbox.sweep", parameters={}, interval_seconds=30)
    db.session.add_all([job, other])
    db.session.flush()
    now = utcnow()
    for days in (2, 10, 40, 400):
        db.session.add(ServerJobRun(job_id=other.id, due_at=now - timedelta(days=days),
                                    started_at=now - timedelta(days=days), status="succeeded"))
    prune = ServerJobRun(job_id=job.id, due_at=now, started_at=now, status="running")
    db.session.add(prune)
    db.session.commit()
    app.config["SERVER_JOB_RUN_RETENTION_DAYS"] = "30"
    assert execute_run(prune.id).startswith("succeeded deleted: 2")
    left = sorted(round((now - r.started_at).days) for r in db.session.scalars(
        select(ServerJobRun).where(ServerJobRun.job_id == other.id)))
    assert left == [2, 10]

    job.parameters = {"keep_days": 5}
    again = ServerJobRun(job_id=job.id, due_at=now + timedelta(seconds=1), status="running")
    db.session.add(again)
    db.session.commit()
    assert execute_run(again.id).startswith("succeeded deleted: 1")
