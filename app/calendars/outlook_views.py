"""Staff screens for publishing Outlook events to the website: sources (platform admins), the
publisher's list with checkboxes, the side-by-side of a change, and the help page."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, Response, current_app, flash, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app.access import scopes
from app.access.permissions import SIGNED_IN, ensure, has_role, requires
from app.calendars import outlook_import, outlook_review, outlook_watch
from app.calendars.filters import ListFilters
from app.calendars.models import Calendar, CalendarEvent, OutlookImportSource
from app.calendars.outlook_mapping import sanitise_html
from app.extensions import db
from app.graph.errors import GraphError
from app.web.htmx import see_other
from app.web.templating import NAV_COUNTS, city_zone
from app.web.params import whole_number

outlook_bp = Blueprint("outlook_import", __name__, url_prefix="/staff/outlook")
DEFAULT_DAYS = 30
SOURCE_FIELDS = ("name", "mailbox", "calendar_id", "outlook_calendar_id")
NAV_COUNTS["outlook_import.index"] = outlook_watch.waiting_count


@outlook_bp.app_template_filter("safe_html")
def safe_html(value: str | None) -> Markup:
    """Descriptions published from Outlook are HTML: cleaned again on the way out, whatever was stored."""
    return Markup(sanitise_html(value or ""))


# --- sources (platform admins) --------------------------------------------------------------------

@outlook_bp.get("/sources")
@requires("calendars.publisher")
def sources() -> str:
    return _sources_page({name: "" for name in SOURCE_FIELDS}, {})


@outlook_bp.post("/sources")
@requires("calendars.publisher")
def create_source() -> Response | tuple[str, int]:
    form = {name: request.form.get(name, "") for name in SOURCE_FIELDS}
    if (calendar_id := whole_number(form["calendar_id"])) is not None:
        ensure(current_user, "calendars.publisher", scopes.calendar(calendar_id))
    try:
        source = outlook_import.create_source(form["name"], form["mailbox"], form["calendar_id"],
                                              form["outlook_calendar_id"], current_user,
                                              any_calendar=has_role(current_user, "platform.admin"))
    except outlook_import.SourceInvalid as invalid:
        db.session.rollback()
        return _sources_page(form, invalid.errors), 422
    flash(f"Staff can now publish events from {source.mailbox} to {source.calendar.name}.", "success")
    return see_other(url_for("outlook_import.sources"))


@outlook_bp.post("/sources/<int:source_id>/delete")
@requires("platform.admin")
def delete_source(source_id: int) -> Response:
    source = db.get_or_404(OutlookImportSource, source_id)
    try:
        outlook_import.delete_source(source, current_user)
    except outlook_import.SourceInvalid as invalid:
        db.session.rollback()
        flash(str(invalid), "error")
    else:
        flash("The source is removed.", "success")
    return see_other(url_for("outlook_import.sources"))


def _sources_page(form: dict[str, str], errors: dict[str, str]) -> str:
    calendars = db.session.scalars(select(Calendar).order_by(Calendar.name)).all()
    return render_template("calendars/outlook_sources.html", sources=outlook_import.sources_for(),
                           calendars=calendars, form=form, errors=errors,
                           may_remove=has_role(current_user, "platform.admin"))


# --- publishers -----------------------------------------------------------------------------------

@outlook_bp.get("/")
@requires("calendars.publisher")
def index() -> str:
    return render_template("calendars/outlook_index.html", sources=outlook_import.sources_for())


@outlook_bp.get("/sources/<int:source_id>/events")
@requires("calendars.publisher")
def source_events(source_id: int) -> tuple[str, int]:
    return _listing(_source(source_id), {}, 200)


def _source(source_id: int) -> OutlookImportSource:
    """The source, if the signed-in person may publish to its MyGov calendar (else 403)."""
    source = db.get_or_404(OutlookImportSource, source_id)
    ensure(current_user, "calendars.publisher", scopes.calendar(source.calendar_id))
    return source


@outlook_bp.post("/sources/<int:source_id>/publish")
@requires("calendars.publisher")
def publish(source_id: int) -> Response | tuple[str, int]:
    source = _source(source_id)
    chosen, status = request.form.getlist("outlook_id"), request.form.get("status", "draft")
    errors = {}
    if not chosen:
        errors["outlook_id"] = "Choose at least one event to publish."
    if status not in ("draft", "published"):
        errors["status"] = "Choose whether the events start as drafts or published."
    if errors:
        return _listing(source, errors, 422)
    back = url_for("outlook_import.source_events", source_id=source.id,
                   **{k: v for k, v in request.form.items() if k in ("from", "to")})
    try:
        outcome = outlook_import.publish(source, chosen, status, current_user)
    except GraphError as error:
        db.session.rollback()
        flash(_unreachable(error), "error")
        return see_other(back)
    if outcome.published:
        state = "published on" if status == "published" else "saved as drafts for"
        flash(f"{len(outcome.published)} {'event' if len(outcome.published) == 1 else 'events'} {state} the website: "
              + ", ".join(f"“{e.title}”" for e in outcome.published) + ".", "success")
    for reason in outcome.refused.values():
        flash(reason, "error")
    return see_other(back)


def _listing(source: OutlookImportSource, errors: dict[str, str], status_code: int) -> tuple[str, int]:
    zone = city_zone(current_app)
    filters = ListFilters.from_args(request.values, datetime.now(zone).date(), DEFAULT_DAYS)
    start = datetime.combine(filters.first, time.min, zone)
    end = datetime.combine(filters.last + timedelta(days=1), time.min, zone)
    try:
        listing, outlook_error = outlook_import.list_events(source, start, end), ""
    except GraphError as error:
        listing, outlook_error = outlook_import.SourceListing([], []), _unreachable(error)
    page = render_template("calendars/outlook_events.html", source=source, listing=listing, filters=filters,
                           errors=errors, range_error=filters.error, chosen=set(request.form.getlist("outlook_id")),
                           status=request.form.get("status", "draft"), outlook_error=outlook_error)
    return page, 503 if outlook_error else status_code


def _unreachable(error: GraphError) -> str:
    return (f"Outlook could not be read just now ({error.code}); nothing was changed. Try again in a minute; "
            "if it keeps happening, the operations screen shows Microsoft 365's state.")


@outlook_bp.get("/events/<int:event_id>/changes")
@requires("calendars.publisher")
def review_change(event_id: int) -> str | tuple[str, int]:
    event = _imported_or_404(event_id)
    try:
        review = outlook_review.review_change(event)
    except GraphError as error:
        flash(_unreachable(error), "error")
        return render_template("calendars/outlook_change.html", review=None, event=event), 503
    return render_template("calendars/outlook_change.html", review=review, event=event)


@outlook_bp.post("/events/<int:event_id>/changes/apply")
@requires("calendars.publisher")
def apply_change(event_id: int) -> Response:
    event = _imported_or_404(event_id)
    choices = {name: request.form[f"take_{name}"] for name, _ in outlook_review.FIELDS
               if request.form.get(f"take_{name}") in ("outlook", "website")}
    try:
        outlook_review.apply_change(event, choices, current_user)
    except (outlook_review.ChangeRefused, GraphError) as problem:
        db.session.rollback()
        flash(_unreachable(problem) if isinstance(problem, GraphError) else str(problem), "error")
        return see_other(url_for("outlook_import.review_change", event_id=event.id))
    flash(f"“{event.title}” is updated with the Outlook fields you chose; the others keep the website's version "
          "until Outlook changes them again.", "success")
    return see_other(url_for("outlook_import.review_change", event_id=event.id))


def _imported_or_404(event_id: int) -> CalendarEvent:
    event = db.get_or_404(CalendarEvent, event_id)
    if event.outlook_source is None:
        raise NotFound()
    ensure(current_user, "calendars.publisher", scopes.calendar(event.calendar_id))
    return event


@outlook_bp.get("/help")
@requires(SIGNED_IN)
def help_page() -> str:
    return render_template("calendars/outlook_help.html")
