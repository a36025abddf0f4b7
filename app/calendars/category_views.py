"""A calendar's category list (add, rename, retire) and an event's delete, on the staff calendars blueprint."""
from __future__ import annotations

from flask import Response, flash, render_template, request, url_for
from flask_login import current_user

from app.access import scopes
from app.access.permissions import can, requires
from app.calendars import categories, services
from app.calendars.forms import Invalid
from app.calendars.models import Calendar, CalendarCategory
from app.calendars.staff_views import calendar_for, calendar_staff_bp, event_for
from app.extensions import db
from app.web.htmx import see_other


@calendar_staff_bp.get("/<int:calendar_id>/categories")
@requires("calendars.editor")
def calendar_categories(calendar_id: int) -> str:
    return _page(calendar_for(calendar_id), {}, {})


@calendar_staff_bp.post("/<int:calendar_id>/categories")
@requires("calendars.editor")
def add_category(calendar_id: int) -> Response | tuple[str, int]:
    calendar = calendar_for(calendar_id)
    try:
        added = categories.add_category(calendar, request.form.get("name", ""), current_user)
    except Invalid as invalid:
        db.session.rollback()
        return _page(calendar, invalid.errors, {"name": request.form.get("name", "")}), 422
    flash(f"“{added.name}” is added; the editor offers it and the public pages can filter by it.", "success")
    return see_other(url_for("calendar_staff.calendar_categories", calendar_id=calendar.id))


@calendar_staff_bp.post("/categories/<int:category_id>/<any(rename, retire, restore):verb>")
@requires("calendars.editor")
def change_category(category_id: int, verb: str) -> Response | tuple[str, int]:
    category = db.get_or_404(CalendarCategory, category_id)
    calendar = calendar_for(category.calendar_id)
    old = category.name
    try:
        if verb == "rename":
            categories.rename_category(category, request.form.get("name", ""), current_user)
        else:
            categories.set_retired(category, verb == "retire", current_user)
    except Invalid as invalid:
        db.session.rollback()
        return _page(calendar, invalid.errors, {f"name-{category.id}": request.form.get("name", "")}), 422
    said = {"rename": f"“{old}” is now “{category.name}”, on its events too.",
            "retire": f"“{old}” is retired: its events keep it, the editor no longer offers it.",
            "restore": f"“{old}” is offered again."}[verb]
    flash(said, "success")
    return see_other(url_for("calendar_staff.calendar_categories", calendar_id=calendar.id))


def _page(calendar: Calendar, errors: dict[str, str], typed: dict[str, str]) -> str:
    return render_template("calendars/staff_categories.html", calendar=calendar, errors=errors, typed=typed,
                           categories=categories.categories_of([calendar.id], include_retired=True))


@calendar_staff_bp.post("/events/<int:event_id>/delete")
@requires("calendars.editor")
def delete_event(event_id: int) -> Response:
    event = event_for(event_id)
    if event.status != "draft" and not can(current_user, "calendars.publisher", scopes.calendar(event.calendar_id)):
        flash("Only a calendar publisher can delete an event that was published.", "error")
        return see_other(url_for("calendar_staff.edit_event", event_id=event.id))
    title, was_draft = event.title, event.status == "draft"
    gone_from = "the public pages and feeds" + (", and from Exchange within a minute"
                                                if event.calendar.exchange_calendar_address else "")
    services.delete_event(event, current_user)
    flash(f"“{title}” is deleted." + ("" if was_draft else f" It is gone from {gone_from}."), "success")
    return see_other(url_for("calendar_staff.calendars"))
