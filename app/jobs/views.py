"""Ops screens for platform admins: server jobs, the outbox, queue and worker health."""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_login import current_user

from app.access.permissions import SIGNED_IN, MissingPermission, has_role, requires
from app.extensions import db
from app.jobs import queries, services
from app.jobs.actions import load_actions
from app.jobs.forms import ConfirmForm, ScheduleForm
from app.jobs.models import OPERATION_STATUSES, GraphOperation, ServerJob
from app.jobs.scheduler import run_now
from app.jobs.target_words import target_words
from app.web.htmx import render_page_or_block, see_other

ops_bp = Blueprint("ops", __name__, url_prefix="/staff/ops")
FINAL_STATUSES = ("done", "failed", "dead", "superseded")


@ops_bp.get("/jobs")
@requires("platform.admin")
def jobs():
    return render_template("jobs/jobs.html", jobs=queries.server_jobs(), actions=load_actions(), form=ConfirmForm())


@ops_bp.route("/jobs/<int:job_id>", methods=["GET", "POST"])
@requires("platform.admin")
def job(job_id: int):
    job = db.get_or_404(ServerJob, job_id)
    form = ScheduleForm(obj=job if request.method == "GET" else None)
    if request.method == "GET":
        form.parameters.data = json.dumps(job.parameters or {}, indent=2)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        change = services.ScheduleChange(
            form.cron.data, form.interval_seconds.data, form.enabled.data, form.parameters_value()
        )
        try:
            services.change_schedule(job, change, current_user)
        except services.ScheduleError as error:
            db.session.rollback()
            errors = error.errors
        else:
            flash(f"The schedule of “{job.name}” is saved; it applies from the next tick.", "success")
            return see_other(url_for("ops.job", job_id=job.id))
    status = 422 if request.method == "POST" else 200
    action = load_actions().get(job.action)
    return render_template(
        "jobs/job.html", job=job, form=form, errors=errors, action=action,
        parameter_errors={k.removeprefix("parameters."): v for k, v in errors.items() if k.startswith("parameters.")},
        runs=queries.recent_runs(job), confirm=ConfirmForm(),
    ), status


@ops_bp.post("/jobs/<int:job_id>/run")
@requires("platform.admin")
def run_job_now(job_id: int):
    job = db.get_or_404(ServerJob, job_id)
    if ConfirmForm().validate_on_submit():
        run_now(job)
        flash(f"“{job.name}” was queued to run now.", "success")
    return see_other(url_for("ops.job", job_id=job.id))


@ops_bp.get("/outbox")
@requires("platform.admin")
def outbox():
    filters = queries.OutboxFilter.from_args(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = queries.outbox_page(filters, page)
    return render_page_or_block(
        "jobs/outbox.html", "results", rows=rows, total=total, page=page, filters=filters, targets=target_words(rows),
        page_size=queries.PAGE_SIZE, statuses=OPERATION_STATUSES, kinds=queries.operation_kinds(),
        counts=queries.outbox_counts(),
    )


@ops_bp.get("/outbox/<int:operation_id>")
@requires("platform.admin")
def operation(operation_id: int):
    operation = db.get_or_404(GraphOperation, operation_id)
    return render_page_or_block(
        "jobs/operation.html", "state", operation=operation, final=operation.status in FINAL_STATUSES,
        form=ConfirmForm(), payload=json.dumps(operation.payload, indent=2, sort_keys=True),
        target=target_words([operation])[operation.id],
    )


@ops_bp.post("/outbox/<int:operation_id>/<any(retry, cancel):verb>")
@requires("platform.admin")
def change_operation(operation_id: int, verb: str):
    operation = db.get_or_404(GraphOperation, operation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        (services.retry_operation if verb == "retry" else services.cancel_operation)(operation, current_user)
    except ValueError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash("The operation will be tried again now." if verb == "retry" else "The operation is cancelled.", "success")
    return see_other(url_for("ops.operation", operation_id=operation_id))


@ops_bp.get("/health")
@requires("platform.admin")
def health():
    from app.jobs.health import check_health

    return render_template(
        "jobs/health.html", report=check_health(), depths=queries.queue_depths(),
        workers=queries.workers(), counts=queries.outbox_counts(),
    )


# Who may say "IT has fixed it" for a mailbox: whoever looks after the room or the calendar writing there.
MAILBOX_KEEPERS = ("facilities.editor", "calendars.editor", "platform.admin")


@ops_bp.post("/waiting-for-it")
@requires(SIGNED_IN)
def retry_waiting_for_it():
    if not any(has_role(current_user, keeper) for keeper in MAILBOX_KEEPERS):
        raise MissingPermission("calendars.editor")
    mailbox = request.form.get("mailbox", "").strip()
    retried = services.retry_waiting_for_it(mailbox, current_user) if mailbox else 0
    if retried:
        flash(f"MyGov is trying {retried} waiting change{'s' if retried != 1 else ''} for {mailbox} again now.",
              "success")
    else:
        flash(f"Nothing is waiting for IT for {mailbox or 'that mailbox'}.", "info")
    back = request.form.get("next", "")
    return see_other(back if back.startswith("/staff/") and not back.startswith("//") else url_for("staff.home"))
