"""Staff screens: calendars and their events edited by calendars.editor, published and cancelled by
calendars.publisher."""
from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access.permissions import has_role, requires
from app.calendars import queries, services
from app.calendars.forms import CalendarInput, EventInput, Invalid, MoveInput
from app.calendars.mailboxes import may_publish_to
from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db
from app.facilities.models import Facility
from app.jobs.queries import waiting_for_it
from app.reservations import occupancy_table
from app.web.htmx import see_other
from app.web.templating import city_zone

calendar_staff_bp = Blueprint("calendar_staff", __name__, url_prefix="/staff/calendars")
EVENT_FIELDS = [f.name for f in fields(EventInput) if f.name not in ("all_day", "errors")]
CALENDAR_FIELDS = [f.name for f in fields(CalendarInput) if f.name not in ("is_public", "errors")]
MOVE_FIELDS = [f.name for f in fields(MoveInput) if f.name != "errors"]
UPCOMING_SHOWN = 12

Page = Response | tuple[str, int] | str


@calendar_staff_bp.get("/")
@requires("calendars.editor")
def calendars() -> str:
    rows = db.session.scalars(select(Calendar).order_by(Calendar.name)).all()
    refused = {c.id for c in rows if c.exchange_calendar_address and not may_publish_to(c.exchange_calendar_address)}
    return render_template("calendars/staff_calendars.html", calendars=rows, waiting=waiting_for_it(), refused=refused,
                           may_approve_mailboxes=has_role(current_user, "platform.admin"),
                           waiting_revisions=len(services.pending_revisions())
                           if has_role(current_user, "calendars.publisher") else 0)


@calendar_staff_bp.route("/new", methods=["GET", "POST"])
@requires("calendars.editor")
def new_calendar() -> Page:
    return _edit_calendar(None)


@calendar_staff_bp.route("/<int:calendar_id>/settings", methods=["GET", "POST"])
@requires("calendars.editor")
def edit_calendar(calendar_id: int) -> Page:
    return _edit_calendar(db.get_or_404(Calendar, calendar_id))


def _edit_calendar(calendar: Calendar | None) -> Page:
    if request.method == "POST":
        data = CalendarInput(**{name: request.form.get(name, "") for name in CALENDAR_FIELDS},
                             is_public=request.form.get("is_public") == "y")
        try:
            saved = services.save_calendar(calendar, data, current_user)
        except Invalid as invalid:
            db.session.rollback()
            data.errors = invalid.errors
            return render_template("calendars/staff_calendar.html", calendar=calendar, data=data), 422
        flash(f"“{saved.name}” is saved.", "success")
        return see_other(url_for("calendar_staff.calendars"))
    data = CalendarInput(time_zone=_city_zone())
    if calendar is not None:
        data = CalendarInput(name=calendar.name, slug=calendar.slug, description=calendar.description,
                             is_public=calendar.is_public, time_zone=calendar.time_zone,
                             exchange_calendar_address=calendar.exchange_calendar_address or "")
    return render_template("calendars/staff_calendar.html", calendar=calendar, data=data)


def _city_zone() -> str:
    from flask import current_app

    return str(current_app.config["CITY_TIMEZONE"])


@calendar_staff_bp.route("/<int:calendar_id>/events/new", methods=["GET", "POST"])
@requires("calendars.editor")
def new_event(calendar_id: int) -> Page:
    return _edit(db.get_or_404(Calendar, calendar_id), None)


@calendar_staff_bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@requires("calendars.editor")
def edit_event(event_id: int) -> Page:
    event = db.get_or_404(CalendarEvent, event_id)
    return _edit(event.calendar, event)


def _edit(calendar: Calendar, event: CalendarEvent | None) -> Page:
    if request.method == "POST":
        data = EventInput(**{name: request.form.get(name, "") for name in EVENT_FIELDS},
                          all_day=request.form.get("all_day") == "y")
        try:
            saved = services.save_event(calendar, event, data, current_user)
        except Invalid as invalid:
            db.session.rollback()
            data.errors = invalid.errors
            return _form(calendar, event, data), 422
        except services.RevisionProposed as proposed:
            flash(f"Your change to “{proposed.revision.event.title}” waits for a calendar publisher; the website "
                  "shows the event as it was until one applies it.", "info")
            return see_other(url_for("calendar_staff.edit_event", event_id=proposed.revision.event_id))
        flash(f"“{saved.title}” is saved.", "success")
        _warn_room_overlaps(saved)
        return see_other(url_for("calendar_staff.edit_event", event_id=saved.id))
    return _form(calendar, event, _input_of(event) if event else EventInput())


def _form(calendar: Calendar, event: CalendarEvent | None, data: EventInput,
          move: MoveInput | None = None) -> str:
    facilities = db.session.scalars(select(Facility).order_by(Facility.name)).all()
    return render_template("calendars/staff_event.html", calendar=calendar, event=event, data=data,
                           facilities=facilities, move=move or MoveInput(), occurrences=_upcoming(event),
                           may_publish=has_role(current_user, "calendars.publisher"))


def _upcoming(event: CalendarEvent | None) -> list[tuple[str, queries.Occurrence, bool]]:
    """The series' next occurrences, each with its original start (what skip/move name) and if moved."""
    if event is None or not event.rrule or event.id is None:
        return []
    zone = ZoneInfo(event.time_zone)
    today = datetime.now(zone).date()
    moved = {o.recurrence_id: o for o in event.overrides}
    found = []
    for original in queries.original_occurrences(event, today, today + timedelta(days=400))[:UPCOMING_SHOWN]:
        key = original.start.replace(tzinfo=None).isoformat()
        override = moved.get(original.start.astimezone(ZoneInfo("UTC")))
        shown = original if override is None else queries.Occurrence(
            event, override.start_at.astimezone(zone), override.end_at.astimezone(zone), False, override.cancelled)
        found.append((key, shown, key in (event.exdates or []) or override is not None))
    return found


def _input_of(event: CalendarEvent) -> EventInput:
    zone = ZoneInfo(event.time_zone)
    data = EventInput(
        title=event.title, description=event.description, all_day=event.all_day, rrule=event.rrule or "",
        location=event.location, facility_id=str(event.facility_id or ""), category=event.category or "",
        image_url=event.image_url or "", image_alt=event.image_alt or "",
        registration_url=event.registration_url or "",
    )
    if event.all_day:
        data.start_date = event.start_date.isoformat()
        data.end_date = (event.end_date - timedelta(days=1)).isoformat()
    else:
        start, end = event.start_at.astimezone(zone), event.end_at.astimezone(zone)
        data.start_date, data.start_time = start.date().isoformat(), start.strftime("%H:%M")
        data.end_date, data.end_time = end.date().isoformat(), end.strftime("%H:%M")
    return data


@calendar_staff_bp.post("/events/<int:event_id>/occurrences/<any(skip, restore, move):verb>")
@requires("calendars.editor")
def change_occurrence(event_id: int, verb: str) -> Page:
    event = db.get_or_404(CalendarEvent, event_id)
    original = request.form.get("original", "")
    try:
        if verb == "skip":
            services.skip_occurrence(event, original, current_user)
        elif verb == "restore":
            services.restore_occurrence(event, original, current_user)
        else:
            services.move_occurrence(event, MoveInput(**{n: request.form.get(n, "") for n in MOVE_FIELDS}),
                                     current_user)
    except Invalid as invalid:
        db.session.rollback()
        move = MoveInput(**{n: request.form.get(n, "") for n in MOVE_FIELDS}, errors=invalid.errors)
        return _form(event.calendar, event, _input_of(event), move), 422
    words = {"skip": "is skipped", "restore": "is back at its usual time", "move": "is moved"}[verb]
    flash(f"The occurrence of “{event.title}” {words}.", "success")
    return see_other(url_for("calendar_staff.edit_event", event_id=event.id) + "#occurrences")


@calendar_staff_bp.post("/events/<int:event_id>/<any(publish, cancel):verb>")
@requires("calendars.publisher")
def change_status(event_id: int, verb: str) -> Response:
    event = db.get_or_404(CalendarEvent, event_id)
    (services.publish_event if verb == "publish" else services.cancel_event)(event, current_user)
    flash(f"“{event.title}” is {'published' if verb == 'publish' else 'cancelled'}.", "success")
    _warn_room_overlaps(event)
    return see_other(url_for("calendar_staff.edit_event", event_id=event.id))


def _warn_room_overlaps(event: CalendarEvent) -> None:
    """A published event written to a room over a reservation or closure does not block the room until a
    facilities editor allows the overlap with a reason (Reconcile room calendars)."""
    if event.status != "published":
        return
    zone = city_zone(current_app)
    for space, overlap in occupancy_table.event_overlaps(event.id, event.calendar.exchange_calendar_address)[:3]:
        flash(f"“{event.title}” on {overlap.start.astimezone(zone):%A, %B %-d at %-I:%M %p} overlaps a booking or "
              f"closure in {space.name}. It does not block the room until a facilities editor allows the overlap, "
              "with a reason, on Reconcile room calendars.", "warning")
