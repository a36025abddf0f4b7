"""Ops screens for platform admins: server jobs, the outbox, queue and worker health."""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_login import current_user

from app.access.permissions import SIGNED_IN, MissingPermission, has_role, requires
from app.extensions import db
from app.jobs import queries, schedules, services
from app.jobs.actions import load_actions
from app.jobs.forms import ConfirmForm, NewJobForm, RetryDeadForm, ScheduleForm
from app.jobs.labels import describe
from app.jobs.models import OPERATION_STATUSES, GraphOperation, ServerJob
from app.web.htmx import render_page_or_block, see_other

ops_bp = Blueprint("ops", __name__, url_prefix="/staff/ops")
FINAL_STATUSES = ("done", "failed", "dead", "superseded")


@ops_bp.get("/jobs")
@requires("platform.admin")
def jobs():
    return render_template("jobs/jobs.html", jobs=queries.server_jobs(), actions=load_actions(), form=ConfirmForm())


def _change(form: ScheduleForm) -> schedules.ScheduleChange:
    return schedules.ScheduleChange(form.cron.data, form.interval_seconds.data, form.enabled.data,
                                    form.parameters_value())


FIELD_ORDER = ("name", "action", "cron", "interval_seconds", "parameters")


def _first_error(form: ScheduleForm, errors: dict[str, str]) -> str | None:
    """The field that gets the focus when the form comes back with problems."""
    wrong = set(form.errors) | {("cron" if k == "schedule" else k.split(".")[0]) for k in errors}
    return next((name for name in FIELD_ORDER if name in wrong), None)


def _parameter_errors(errors: dict[str, str]) -> dict[str, str]:
    return {k.removeprefix("parameters."): v for k, v in errors.items() if k.startswith("parameters.")}


@ops_bp.route("/jobs/new", methods=["GET", "POST"])
@requires("platform.admin")
def new_job():
    actions = load_actions()
    form = NewJobForm()
    form.action.choices = [("", "Choose an action")] + sorted(
        ((name, f"{spec.description}") for name, spec in actions.items()), key=lambda choice: choice[1])
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            job = schedules.create_job(form.name.data or "", form.action.data or "", _change(form), current_user)
        except schedules.ScheduleError as error:
            db.session.rollback()
            errors = error.errors
        else:
            flash(f"“{job.name}” is created; the scheduler runs it from its next tick.", "success")
            return see_other(url_for("ops.job", job_id=job.id))
    return render_template(
        "jobs/new_job.html", form=form, errors=errors, actions=actions, parameter_errors=_parameter_errors(errors),
        first_error=_first_error(form, errors),
    ), 422 if form.is_submitted() else 200


@ops_bp.route("/jobs/<int:job_id>", methods=["GET", "POST"])
@requires("platform.admin")
def job(job_id: int):
    job = db.get_or_404(ServerJob, job_id)
    form = ScheduleForm(obj=job if request.method == "GET" else None)
    if request.method == "GET":
        form.parameters.data = json.dumps(job.parameters or {}, indent=2)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            schedules.change_schedule(job, _change(form), current_user)
        except schedules.ScheduleError as error:
            db.session.rollback()
            errors = error.errors
        else:
            flash(f"The schedule of “{job.name}” is saved; it applies from the next tick.", "success")
            return see_other(url_for("ops.job", job_id=job.id))
    status = 422 if request.method == "POST" else 200
    action = load_actions().get(job.action)
    return render_template(
        "jobs/job.html", job=job, form=form, errors=errors, action=action,
        parameter_errors=_parameter_errors(errors), runs=queries.recent_runs(job), confirm=ConfirmForm(),
        first_error=_first_error(form, errors),
    ), status


@ops_bp.post("/jobs/<int:job_id>/run")
@requires("platform.admin")
def run_job_now(job_id: int):
    job = db.get_or_404(ServerJob, job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    schedules.run_now(job, current_user)
    flash(f"“{job.name}” was queued to run now.", "success")
    return see_other(url_for("ops.job", job_id=job.id))


@ops_bp.post("/jobs/<int:job_id>/<any(pause, resume):verb>")
@requires("platform.admin")
def pause_job(job_id: int, verb: str):
    job = db.get_or_404(ServerJob, job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    schedules.set_paused(job, verb == "pause", current_user)
    flash(f"“{job.name}” is paused: it will not run until resumed." if verb == "pause"
          else f"“{job.name}” runs again on its schedule.", "success")
    return see_other(url_for("ops.job", job_id=job.id))


@ops_bp.route("/jobs/<int:job_id>/remove", methods=["GET", "POST"])
@requires("platform.admin")
def remove_job(job_id: int):
    job = db.get_or_404(ServerJob, job_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        name = job.name
        try:
            schedules.remove_job(job, current_user)
        except schedules.ScheduleError as error:
            db.session.rollback()
            flash(error.errors["remove"], "error")
            return see_other(url_for("ops.job", job_id=job_id))
        flash(f"“{name}” and its run history are removed.", "success")
        return see_other(url_for("ops.jobs"))
    return render_template("jobs/remove_job.html", job=job, form=form, action=load_actions().get(job.action))


@ops_bp.get("/outbox")
@requires("platform.admin")
def outbox():
    filters = queries.OutboxFilter.from_args(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = queries.outbox_page(filters, page)
    return render_page_or_block(
        "jobs/outbox.html", "results", rows=rows, total=total, page=page, filters=filters, describe=describe,
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
        description=describe(operation),
    )


@ops_bp.route("/outbox/retry-dead", methods=["GET", "POST"])
@requires("platform.admin")
def retry_dead():
    """Confirm first: the page lists the dead operations that will be tried again."""
    form = RetryDeadForm()
    dead = queries.dead_operations()
    if request.method == "POST":
        if form.validate_on_submit():
            count = services.retry_all_dead(current_user)
            flash(f"{count} dead operation{'s' if count != 1 else ''} will be tried again now.", "success")
            return see_other(url_for("ops.outbox", status="pending"))
        return render_template("jobs/retry_dead.html", dead=dead, form=form, describe=describe), 422
    return render_template("jobs/retry_dead.html", dead=dead, form=form, describe=describe)


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
