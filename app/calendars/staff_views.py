"""Staff screens: calendars and their events edited by calendars.editor, published and cancelled by
calendars.publisher."""
from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access import scopes
from app.access.permissions import can, ensure, has_role, requires, scopes_for, within
from app.calendars import queries, services
from app.calendars.categories import offered_names
from app.calendars.event_images import store_event_image
from app.calendars.forms import CalendarInput, EventInput, Invalid, MoveInput, input_from_stored
from app.calendars.mailboxes import may_publish_to
from app.calendars.models import Calendar, CalendarEvent
from app.calendars.recurrence_form import (
    WEEKDAYS,
    Preview,
    choice_of,
    monthly_weekday_words,
    preview,
    repeat_choice_of,
    shift_end,
)
from app.calendars.recurrence_words import long_date
from app.extensions import db
from app.facilities.models import Facility
from app.jobs.queries import waiting_for_it
from app.web.htmx import see_other
from app.web.images import ImageRefused, readable_size, upload_limit

calendar_staff_bp = Blueprint("calendar_staff", __name__, url_prefix="/staff/calendars")
EVENT_FIELDS = [f.name for f in fields(EventInput) if f.name not in ("all_day", "errors", "repeat", "first_date_offer")]
CALENDAR_FIELDS = [f.name for f in fields(CalendarInput) if f.name not in ("is_public", "errors")]
MOVE_FIELDS = [f.name for f in fields(MoveInput) if f.name != "errors"]
UPCOMING_SHOWN = 12

Page = Response | tuple[str, int] | str


@calendar_staff_bp.app_template_filter("long_date")
def long_date_filter(value: str) -> str:
    """"Tuesday, March 9, 2027" from an ISO date."""
    return long_date(date.fromisoformat(value))


@calendar_staff_bp.get("/")
@requires("calendars.editor")
def calendars() -> str:
    allowed = scopes_for(current_user, "calendars.editor")
    rows = [c for c in db.session.scalars(select(Calendar).order_by(Calendar.name)) if within(allowed, scopes.calendar(c.id))]
    refused = {c.id for c in rows if c.exchange_calendar_address and not may_publish_to(c.exchange_calendar_address)}
    return render_template("calendars/staff_calendars.html", calendars=rows, waiting=waiting_for_it(), refused=refused,
                           may_approve_mailboxes=has_role(current_user, "platform.admin"),
                           waiting_revisions=len(services.pending_revisions())
                           if has_role(current_user, "calendars.publisher") else 0)


def calendar_for(calendar_id: int, permission: str = "calendars.editor") -> Calendar:
    """The calendar, if the signed-in person holds `permission` for it (else 403)."""
    calendar = db.get_or_404(Calendar, calendar_id)
    ensure(current_user, permission, scopes.calendar(calendar.id))
    return calendar


def event_for(event_id: int, permission: str = "calendars.editor") -> CalendarEvent:
    event = db.get_or_404(CalendarEvent, event_id)
    ensure(current_user, permission, scopes.calendar(event.calendar_id))
    return event


@calendar_staff_bp.route("/new", methods=["GET", "POST"])
@requires("calendars.editor")
def new_calendar() -> Page:
    ensure(current_user, "calendars.editor", scopes.WHOLE_MODULE)
    return _edit_calendar(None)


@calendar_staff_bp.route("/<int:calendar_id>/settings", methods=["GET", "POST"])
@requires("calendars.editor")
def edit_calendar(calendar_id: int) -> Page:
    return _edit_calendar(calendar_for(calendar_id))


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
    return _edit(calendar_for(calendar_id), None)


@calendar_staff_bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@requires("calendars.editor")
def edit_event(event_id: int) -> Page:
    event = event_for(event_id)
    return _edit(event.calendar, event)


def _posted_event() -> EventInput:
    return EventInput(**{name: request.form.get(name, "") for name in EVENT_FIELDS},
                      all_day=request.form.get("all_day") == "y", repeat=repeat_choice_of(request.form))


def _take_image(data: EventInput) -> str:
    """An uploaded image becomes the event's (its address set on `data`); the message when refused."""
    upload = request.files.get("image")
    if request.form.get("remove_image") == "y":
        data.image_url = data.image_alt = ""
    if upload is None or not upload.filename:
        return ""
    try:
        data.image_url = url_for("calendars.event_image", name=store_event_image(upload))
    except ImageRefused as refused:
        return str(refused)
    return ""


def _edit(calendar: Calendar, event: CalendarEvent | None) -> Page:
    if request.method == "POST":
        data = _posted_event()
        image_error = _take_image(data)
        if request.form.get("use_first_date") or request.form.get("preview"):
            return _form(calendar, event, _with_first_date(data, request.form.get("use_first_date", "")))
        if image_error:
            data.errors = {"image": image_error}
            return _form(calendar, event, data), 422
        try:
            saved = services.save_event(calendar, event, data, current_user, request.form.get("overlap_reason", ""))
        except Invalid as invalid:
            db.session.rollback()
            data.errors = invalid.errors
            return _form(calendar, event, data), 422
        except services.RevisionProposed as proposed:
            flash(f"Your change to “{proposed.revision.event.title}” waits for a calendar publisher; the website "
                  "shows the event as it was until one applies it.", "info")
            return see_other(url_for("calendar_staff.edit_event", event_id=proposed.revision.event_id))
        flash(f"“{saved.title}” is saved.", "success")
        return see_other(url_for("calendar_staff.edit_event", event_id=saved.id))
    return _form(calendar, event, _shown_input(event) if event else EventInput())


def _shown_input(event: CalendarEvent) -> EventInput:
    """An editor whose change waits edits that change (saving again replaces it, so it must not be lost);
    a publisher, whose saves go live at once, edits the event as it is."""
    if not has_role(current_user, "calendars.publisher"):
        for revision in reversed(services.pending_revisions(event)):
            if revision.proposed_by_id == current_user.id:
                return input_from_stored(revision.proposed)
    return _input_of(event)


def _form(calendar: Calendar, event: CalendarEvent | None, data: EventInput,
          move: MoveInput | None = None) -> str:
    facilities = db.session.scalars(select(Facility).order_by(Facility.name)).all()
    zone = ZoneInfo(event.time_zone if event else calendar.time_zone)
    return render_template("calendars/staff_event.html", calendar=calendar, event=event, data=data,
                           facilities=facilities, move=move or MoveInput(), occurrences=_upcoming(event),
                           may_publish=can(current_user, "calendars.publisher", scopes.calendar(calendar.id)),
                           waiting=services.pending_revisions(event) if event else [],
                           repeat_preview=_preview(data, zone), weekdays=WEEKDAYS,
                           categories=offered_names(calendar, event.category if event else None),
                           max_photo_size=readable_size(upload_limit()),
                           monthly_weekday=_monthly_weekday(data.start_date),
                           may_override_overlap=has_role(current_user, services.OVERLAP_ROLE),
                           overlap_reason=request.form.get("overlap_reason", ""))


@calendar_staff_bp.post("/repeat-preview")
@requires("calendars.editor")
def repeat_preview() -> str:
    """The preview fragment the editor's repeat choices update with htmx (the save and preview buttons
    show the same without JavaScript)."""
    calendar = calendar_for(request.form.get("calendar_id", type=int) or 0)
    data = _posted_event()
    shown = _preview(data, ZoneInfo(calendar.time_zone))
    return (render_template("calendars/_repeat_preview.html", repeat_preview=shown)
            + render_template("calendars/_monthly_weekday.html", out_of_band=True,
                              monthly_weekday=_monthly_weekday(data.start_date),
                           may_override_overlap=has_role(current_user, services.OVERLAP_ROLE),
                           overlap_reason=request.form.get("overlap_reason", "")))


def _preview(data: EventInput, zone: ZoneInfo) -> Preview | None:
    return preview(data.repeat, data.rrule, data.start_date, data.start_time, data.all_day, zone)


def _monthly_weekday(start_date: str) -> str:
    try:
        return monthly_weekday_words(date.fromisoformat(start_date))
    except ValueError:
        return "the same weekday of the month"


def _with_first_date(data: EventInput, chosen: str) -> EventInput:
    """The form moved to start on the repeat's first date, keeping the event's length (not saved yet)."""
    try:
        new_start, start = date.fromisoformat(chosen), date.fromisoformat(data.start_date)
    except ValueError:
        return data
    end = date.fromisoformat(data.end_date) if data.end_date else start
    data.start_date, data.end_date = new_start.isoformat(), shift_end(start, end, new_start).isoformat()
    return data


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
    data.repeat = choice_of(event.rrule, date.fromisoformat(data.start_date), zone)
    return data


@calendar_staff_bp.post("/events/<int:event_id>/occurrences/<any(skip, restore, move):verb>")
@requires("calendars.editor")
def change_occurrence(event_id: int, verb: str) -> Page:
    event = event_for(event_id)
    original = request.form.get("original", "")
    try:
        if verb == "skip":
            services.skip_occurrence(event, original, current_user)
        elif verb == "restore":
            services.restore_occurrence(event, original, current_user, request.form.get("overlap_reason", ""))
        else:
            services.move_occurrence(event, MoveInput(**{n: request.form.get(n, "") for n in MOVE_FIELDS}),
                                     current_user, request.form.get("overlap_reason", ""))
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
    event = event_for(event_id, "calendars.publisher")
    try:
        if verb == "publish":
            services.publish_event(event, current_user, request.form.get("overlap_reason", ""))
        else:
            services.cancel_event(event, current_user)
    except services.RoomTaken as taken:
        db.session.rollback()
        flash(taken.errors["overlap_reason"], "error")
        return see_other(url_for("calendar_staff.edit_event", event_id=event_id) + "#publishing")
    flash(f"“{event.title}” is {'published' if verb == 'publish' else 'cancelled'}.", "success")
    return see_other(url_for("calendar_staff.edit_event", event_id=event.id))


from app.calendars import category_views  # noqa: E402,F401  (routes on this blueprint)
