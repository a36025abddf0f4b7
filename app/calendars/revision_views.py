"""Editors' changes to published events, applied or discarded by a calendar publisher."""
from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, url_for
from flask_login import current_user

from app.access import scopes
from app.access.permissions import ensure, has_role, requires, scopes_for, within
from app.calendars import services
from app.calendars.forms import Invalid
from app.calendars.models import CalendarEventRevision
from app.calendars.revisions import changes
from app.extensions import db
from app.web.htmx import see_other
from app.web.templating import NAV_COUNTS

calendar_revisions_bp = Blueprint("calendar_revisions", __name__, url_prefix="/staff/calendars/revisions")


def _waiting_for_me() -> int:
    """Beside "Calendars" in the menu: the editors' changes a publisher has to look at."""
    return len(services.pending_revisions()) if has_role(current_user, "calendars.publisher") else 0


NAV_COUNTS["calendar_staff.calendars"] = _waiting_for_me


@calendar_revisions_bp.get("/")
@requires("calendars.publisher")
def index() -> str:
    allowed = scopes_for(current_user, "calendars.publisher")
    waiting = [(revision, *changes(revision)) for revision in services.pending_revisions()
               if within(allowed, scopes.calendar(revision.event.calendar_id))]
    return render_template("calendars/revisions.html", waiting=waiting)


@calendar_revisions_bp.post("/<int:revision_id>/<any(apply, discard):verb>")
@requires("calendars.publisher")
def decide(revision_id: int, verb: str) -> Response:
    revision = db.get_or_404(CalendarEventRevision, revision_id)
    ensure(current_user, "calendars.publisher", scopes.calendar(revision.event.calendar_id))
    if revision.status != "pending":
        flash("That change was already dealt with.", "info")
        return see_other(url_for("calendar_revisions.index"))
    title = revision.event.title
    if verb == "discard":
        services.discard_revision(revision, current_user)
        flash(f"The proposed change to “{title}” is discarded.", "success")
        return see_other(url_for("calendar_revisions.index"))
    try:
        services.apply_revision(revision, current_user)
    except Invalid:
        db.session.rollback()
        flash(f"The change to “{title}” cannot be applied as it stands; discard it or edit the event.", "error")
        return see_other(url_for("calendar_revisions.index"))
    flash(f"The change to “{title}” is live.", "success")
    return see_other(url_for("calendar_staff.edit_event", event_id=revision.event_id))
