"""Staff screens: calendar events edited by calendars.editor, published and cancelled by calendars.publisher."""
from __future__ import annotations

from dataclasses import fields

from flask import Blueprint, Response, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access.permissions import has_role, requires
from app.calendars import services
from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db
from app.web.htmx import see_other

calendar_staff_bp = Blueprint("calendar_staff", __name__, url_prefix="/staff/calendars")
TEXT_FIELDS = [f.name for f in fields(services.EventInput) if f.name not in ("all_day", "errors")]


@calendar_staff_bp.get("/")
@requires("calendars.editor")
def calendars() -> str:
    rows = db.session.scalars(select(Calendar).order_by(Calendar.name)).all()
    return render_template("calendars/staff_calendars.html", calendars=rows)


@calendar_staff_bp.route("/<int:calendar_id>/events/new", methods=["GET", "POST"])
@requires("calendars.editor")
def new_event(calendar_id: int) -> Response | tuple[str, int] | str:
    calendar = db.get_or_404(Calendar, calendar_id)
    return _edit(calendar, None)


@calendar_staff_bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@requires("calendars.editor")
def edit_event(event_id: int) -> Response | tuple[str, int] | str:
    event = db.get_or_404(CalendarEvent, event_id)
    return _edit(event.calendar, event)


def _edit(calendar: Calendar, event: CalendarEvent | None) -> Response | tuple[str, int] | str:
    data = services.EventInput(**{name: request.form.get(name, "") for name in TEXT_FIELDS},
                               all_day=request.form.get("all_day") == "y")
    if request.method == "POST":
        try:
            saved = services.save_event(calendar, event, data, current_user)
        except services.EventInvalid as invalid:
            db.session.rollback()
            data.errors = invalid.errors
            return _form(calendar, event, data), 422
        flash(f"“{saved.title}” is saved.", "success")
        return see_other(url_for("calendar_staff.edit_event", event_id=saved.id))
    return _form(calendar, event, _input_of(event) if event else data)


def _form(calendar: Calendar, event: CalendarEvent | None, data: services.EventInput) -> str:
    return render_template("calendars/staff_event.html", calendar=calendar, event=event, data=data,
                           may_publish=has_role(current_user, "calendars.publisher"))


def _input_of(event: CalendarEvent) -> services.EventInput:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(event.time_zone)
    data = services.EventInput(
        title=event.title, description=event.description, all_day=event.all_day, rrule=event.rrule or "",
        location=event.location, category=event.category or "", image_url=event.image_url or "",
        image_alt=event.image_alt or "", registration_url=event.registration_url or "",
    )
    if event.all_day:
        data.start_date = event.start_date.isoformat()
        data.end_date = event.end_date.fromordinal(event.end_date.toordinal() - 1).isoformat()
    else:
        start, end = event.start_at.astimezone(zone), event.end_at.astimezone(zone)
        data.start_date, data.start_time = start.date().isoformat(), start.strftime("%H:%M")
        data.end_date, data.end_time = end.date().isoformat(), end.strftime("%H:%M")
    return data


@calendar_staff_bp.post("/events/<int:event_id>/<any(publish, cancel):verb>")
@requires("calendars.publisher")
def change_status(event_id: int, verb: str) -> Response:
    event = db.get_or_404(CalendarEvent, event_id)
    (services.publish_event if verb == "publish" else services.cancel_event)(event, current_user)
    flash(f"“{event.title}” is {'published' if verb == 'publish' else 'cancelled'}.", "success")
    return see_other(url_for("calendar_staff.edit_event", event_id=event.id))
