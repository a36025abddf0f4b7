"""Publishing mailboxes (platform admins): the mailboxes other than rooms that calendars may write to."""
from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, request, url_for
from flask_login import current_user

from app.access.permissions import requires
from app.calendars import mailboxes
from app.calendars.models import PublishingMailbox
from app.extensions import db
from app.web.htmx import see_other

publishing_mailboxes_bp = Blueprint("publishing_mailboxes", __name__, url_prefix="/staff/calendars/mailboxes")
FIELDS = ("address", "reason")


@publishing_mailboxes_bp.get("/")
@requires("platform.admin")
def index() -> str:
    return _page({name: "" for name in FIELDS}, {})


@publishing_mailboxes_bp.post("/")
@requires("platform.admin")
def approve() -> Response | tuple[str, int]:
    form = {name: request.form.get(name, "") for name in FIELDS}
    try:
        approval = mailboxes.approve(form["address"], form["reason"], current_user)
    except mailboxes.MailboxInvalid as invalid:
        db.session.rollback()
        return _page(form, invalid.errors), 422
    flash(f"Calendars may now publish to {approval.address}.", "success")
    return see_other(url_for("publishing_mailboxes.index"))


@publishing_mailboxes_bp.post("/<int:approval_id>/withdraw")
@requires("platform.admin")
def withdraw(approval_id: int) -> Response | tuple[str, int]:
    approval = db.get_or_404(PublishingMailbox, approval_id)
    try:
        mailboxes.withdraw(approval, current_user)
    except mailboxes.MailboxInvalid as invalid:
        db.session.rollback()
        return _page({name: "" for name in FIELDS}, {}, refusal=invalid.errors["address"]), 409
    flash(f"Calendars may no longer publish to {approval.address}.", "success")
    return see_other(url_for("publishing_mailboxes.index"))


def _page(form: dict[str, str], errors: dict[str, str], refusal: str | None = None) -> str:
    return render_template("calendars/publishing_mailboxes.html", approvals=mailboxes.approved_mailboxes(),
                           form=form, errors=errors, refusal=refusal)
