"""Admins create, pause and remove server jobs from the actions the code offers; "Run now" is
audited; run history older than JOB_RUN_HISTORY_DAYS is pruned."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.access.models import AuditEntry
from app.extensions import db
from app.jobs.actions import ACTIONS
from app.jobs.models import ServerJob, ServerJobRun
from app.jobs.scheduler import execute_run, tick
from app.sqltypes import utcnow
from tests.factories import csrf_headers, staff_client


def _actions() -> list[str]:
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_an_admin_creates_pauses_runs_and_removes_a_job(app):
    admin, _ = staff_client(app, "platform.admin", name="Ada Admin")
    form = admin.get("/staff/ops/jobs/new").get_data(as_text=True)
    assert "access.end_expired_roles: End the role grants" in form

    refused = admin.post("/staff/ops/jobs/new", data={
        "name": "", "action_name": "no.such", "cron": "every day", "parameters": "{}"}, headers=csrf_headers(admin))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    for field in ("name", "action_name", "cron"):
        assert f'id="{field}-error"' in page, field
    assert db.session.scalar(select(func.count()).select_from(ServerJob)) == 0

    created = admin.post("/staff/ops/jobs/new", data={
        "name": "Nightly reconcile", "action_name": "access.reconcile_groups", "cron": "0 2 * * *",
        "enabled": "y", "parameters": "{}"}, headers=csrf_headers(admin), follow_redirects=True)
    assert "“Nightly reconcile” is created" in created.get_data(as_text=True)
    job = db.session.scalars(select(ServerJob)).one()
    assert (job.action, job.cron, job.enabled) == ("access.reconcile_groups", "0 2 * * *", True)

    admin.post(f"/staff/ops/jobs/{job.id}/pause", headers=csrf_headers(admin))
    db.session.expire_all()
    assert not job.enabled
    assert "Paused" in admin.get("/staff/ops/jobs").get_data(as_text=True)
    admin.post(f"/staff/ops/jobs/{job.id}/resume", headers=csrf_headers(admin))
    db.session.expire_all()
    assert job.enabled

    admin.post(f"/staff/ops/jobs/{job.id}/run", headers=csrf_headers(admin))
    run_now = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "server_job.run_now"))
    assert run_now.actor_label == "Ada Admin" and run_now.after["name"] == "Nightly reconcile"

    unconfirmed = admin.post(f"/staff/ops/jobs/{job.id}/remove", headers=csrf_headers(admin))
    assert unconfirmed.status_code == 422 and "Tick the box to confirm." in unconfirmed.get_data(as_text=True)
    db.session.execute(ServerJobRun.__table__.update().values(status="succeeded", finished_at=utcnow()))
    db.session.commit()
    removed = admin.post(f"/staff/ops/jobs/{job.id}/remove", data={"confirm": "y"}, headers=csrf_headers(admin),
                         follow_redirects=True)
    assert "“Nightly reconcile” and its run history are removed." in removed.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ServerJob)) == 0
    assert db.session.scalar(select(func.count()).select_from(ServerJobRun)) == 0
    assert _actions() == ["server_job.create", "server_job.pause", "server_job.resume", "server_job.run_now",
                          "server_job.remove"]


def test_run_history_older_than_the_configured_age_is_pruned_by_its_job(app):
    app.config["JOB_RUN_HISTORY_DAYS"] = "7"
    job = ServerJob(name="Sweeper", action="outbox.sweep", interval_seconds=30, enabled=False)
    db.session.add(job)
    db.session.flush()
    now = utcnow()
    for days in (1, 6, 8, 40):
        db.session.add(ServerJobRun(job_id=job.id, due_at=now - timedelta(days=days), status="succeeded",
                                    started_at=now - timedelta(days=days), finished_at=now - timedelta(days=days)))
    db.session.add(ServerJobRun(job_id=job.id, due_at=now - timedelta(days=9), status="running",
                                started_at=now - timedelta(days=9)))  # unfinished: kept
    pruning = ServerJob(name="Job run history pruning", action="jobs.prune_run_history", parameters={},
                        interval_seconds=3600, next_run_at=now)
    db.session.add(pruning)
    db.session.commit()

    assert execute_run(tick()[0]).startswith("succeeded")

    kept = db.session.scalars(select(ServerJobRun).where(ServerJobRun.job_id == job.id)).all()
    assert sorted(round((now - r.due_at).days) for r in kept) == [1, 6, 9]
    assert pruning.last_summary and "2" in pruning.last_summary
    assert "jobs.prune_run_history" in ACTIONS
