"""Mail screens for platform admins: the log of every email MyGov sent (bounces included), and the
wording of each email with a preview of a real one."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_login import current_user

from app.access.permissions import requires
from app.jobs.forms import ConfirmForm
from app.mail import queries, wording
from app.mail.services import render_message
from app.web.htmx import render_page_or_block, see_other

mail_bp = Blueprint("mail_admin", __name__, url_prefix="/staff/mail")


@mail_bp.get("/")
@requires("platform.admin")
def log():
    filters = queries.LogFilter.from_args(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = queries.log_page(filters, page)
    return render_page_or_block(
        "mail/screens/log.html", "results", rows=rows, total=total, page=page, filters=filters,
        page_size=queries.PAGE_SIZE, states=queries.STATES, state_of=queries.state_of,
        template_title=queries.template_title, templates=queries.templates_sent(),
    )


def _template_or_404(name: str) -> str:
    if name not in wording.email_templates():
        abort(404)
    return name


@mail_bp.get("/templates")
@requires("platform.admin")
def templates() -> str:
    rows = [(name, queries.template_title(name), wording.current(name)) for name in wording.email_templates()]
    return render_template("mail/screens/templates.html", rows=rows)


def _template_page(name: str, errors: dict[str, str] | None = None, submitted: dict[str, str] | None = None) -> str:
    context = wording.example_context(name)
    preview = render_message(name, {**context, "message_reference": "mygov.preview"}) if context else None
    version = wording.current(name)
    subject, body = (version.subject or "", version.body or "") if version else wording.starting_text(name)
    return render_template(
        "mail/screens/template.html", name=name, title=queries.template_title(name), version=version,
        preview=preview, variables=wording.variables(name), history=wording.history(name), errors=errors or {},
        subject=(submitted or {}).get("subject", subject), body=(submitted or {}).get("body", body),
        form=ConfirmForm(), max_subject=wording.MAX_SUBJECT, max_body=wording.MAX_BODY,
    )


@mail_bp.get("/templates/<name>")
@requires("platform.admin")
def template(name: str) -> str:
    return _template_page(_template_or_404(name))


@mail_bp.get("/templates/<name>/preview.html")
@requires("platform.admin")
def preview_html(name: str) -> Response:
    """The HTML of the example, for a sandboxed frame: no script, no form, nothing it links runs."""
    context = wording.example_context(_template_or_404(name)) or abort(404)
    response = Response(render_message(name, {**context, "message_reference": "mygov.preview"})[1],
                        mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@mail_bp.post("/templates/<name>")
@requires("platform.admin")
def save_template(name: str):
    _template_or_404(name)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if request.form.get("use_code") == "yes":
        wording.use_code_wording(name, current_user)
        flash("This email uses the wording in the code again.", "success")
        return see_other(url_for("mail_admin.template", name=name))
    submitted = {"subject": request.form.get("subject", ""), "body": request.form.get("body", "")}
    errors = wording.save(name, submitted["subject"], submitted["body"], current_user)
    if errors:
        return _template_page(name, errors, submitted), 422
    flash("Saved: the next emails of this kind use this wording.", "success")
    return see_other(url_for("mail_admin.template", name=name))
