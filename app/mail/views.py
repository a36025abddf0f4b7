"""Mail screens for platform admins: the templates (preview, wording, versions) and the email log."""
from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_login import current_user

from app.access.permissions import requires
from app.jobs.forms import ConfirmForm
from app.mail import queries, wording
from app.mail.catalogue import TEMPLATES, MailTemplate
from app.mail.forms import WordingForm
from app.mail.models import MailTemplateVersion
from app.mail.services import current_wording, render_message
from app.web.htmx import render_page_or_block, see_other

mail_admin_bp = Blueprint("mail_admin", __name__, url_prefix="/staff/mail")


def _template(name: str) -> MailTemplate:
    return TEMPLATES.get(name) or abort(404)


@mail_admin_bp.get("/templates")
@requires("platform.admin")
def templates():
    rows = [(spec, current_wording(spec.name)) for spec in TEMPLATES.values()]
    return render_template("mail_admin/templates.html", rows=rows)


@mail_admin_bp.route("/templates/<name>", methods=["GET", "POST"])
@requires("platform.admin")
def template(name: str):
    spec = _template(name)
    current = current_wording(name)
    form = WordingForm()
    errors: dict[str, str] = {}
    if request.method == "GET":
        form.subject.data = current.subject if current else spec.subject
        form.body.data = current.body if current else spec.body
    elif not form.validate_on_submit():
        abort(400)
    elif "preview" in request.form:  # show the draft as citizens would get it; nothing is saved
        draft = MailTemplateVersion(template=name, subject=(form.subject.data or "").strip(),
                                    body=(form.body.data or "").strip().replace("\r\n", "\n"))
        errors = wording.check_wording(spec, draft.subject, draft.body)
        if not errors:
            return _template_page(spec, current, form, errors, draft=draft)
    else:
        try:
            saved = wording.save_wording(spec, form.subject.data or "", form.body.data or "", current_user)
        except wording.WordingError as error:
            errors = error.errors
        else:
            flash(f"Saved as version {saved.number}. MyGov sends this wording from now on.", "success")
            return see_other(url_for("mail_admin.template", name=name) + "#preview")
    return _template_page(spec, current, form, errors), 422 if errors else 200


def _template_page(spec: MailTemplate, current: MailTemplateVersion | None, form: WordingForm,
                   errors: dict[str, str], draft: MailTemplateVersion | None = None) -> str:
    example = {**spec.example, "message_reference": "mygov.example"}
    subject, _, text = render_message(spec.name, example, draft or current)
    return render_template(
        "mail_admin/template.html", spec=spec, current=current, form=form, errors=errors, draft=draft,
        preview_subject=subject, preview_text=text.strip(), versions=wording.versions(spec.name),
        confirm=ConfirmForm(),
    )


@mail_admin_bp.post("/templates/<name>/restore/<int:number>")
@requires("platform.admin")
def restore(name: str, number: int):
    spec = _template(name)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        saved = wording.restore(spec, number, current_user)
    except wording.WordingError as error:
        flash(" ".join(error.errors.values()), "error")
    else:
        what = "the original wording" if number == 0 else f"version {number}"
        flash(f"Restored {what} as version {saved.number}. MyGov sends it from now on.", "success")
    return see_other(url_for("mail_admin.template", name=name))


@mail_admin_bp.get("/log")
@requires("platform.admin")
def log():
    filters = queries.LogFilter.from_args(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = queries.log_page(filters, page)
    return render_page_or_block(
        "mail_admin/log.html", "results", rows=rows, total=total, page=page, filters=filters,
        page_size=queries.PAGE_SIZE, states=queries.STATES, counts=queries.state_counts(),
        labels={name: spec.label for name, spec in TEMPLATES.items()},
    )
