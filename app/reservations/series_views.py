"""The repeating booking page: fill in once, see which dates are free, send the free ones."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, render_template, request, url_for
from flask_login import current_user

from app.access.permissions import has_role
from app.extensions import limiter
from app.facilities.models import FacilitySpace
from app.reservations import series, services
from app.reservations.links import signed_token
from app.reservations.public_views import SUBMIT_RATE_LIMIT
from app.reservations.rooms import reservable_space
from app.reservations.rules import FIELD_LABELS, FIELD_ORDER, parse_booking, parse_date
from app.sqltypes import utcnow
from app.web.htmx import see_other
from app.web.templating import city_zone
from app.reservations.confirmation import TooManyRequests, client_key

series_bp = Blueprint("reservation_series", __name__, url_prefix="/reservations")

STAFF_ROLE = "reservations.approver"
SERIES_FIELDS = (*FIELD_ORDER, "frequency", "until", "count")
SERIES_LABELS = {**FIELD_LABELS, "date": "First date", "frequency": "Repeats", "until": "Last date",
                 "count": "Number of times"}


def _space(facility_slug: str, space_slug: str) -> FacilitySpace:
    return reservable_space(facility_slug, space_slug) or abort(404)


def _form_page(space: FacilitySpace, form: dict[str, str], errors: dict[str, str], status: int,
               checks: list[series.DateCheck] | None = None) -> tuple[str, int]:
    return render_template(
        "reservations/series.html", space=space, form=form, errors=errors, checks=checks,
        field_order=SERIES_FIELDS, field_labels=SERIES_LABELS, frequencies=series.FREQUENCIES,
        max_dates=series.MAX_DATES,
    ), status


@series_bp.get("/<facility_slug>/<space_slug>/repeat")
def repeat_form(facility_slug: str, space_slug: str) -> tuple[str, int]:
    return _form_page(_space(facility_slug, space_slug), {"frequency": "weekly"}, {}, 200)


@series_bp.post("/<facility_slug>/<space_slug>/repeat")
@limiter.limit(SUBMIT_RATE_LIMIT, methods=["POST"])
def repeat_submit(facility_slug: str, space_slug: str) -> Response | tuple[str, int]:
    space = _space(facility_slug, space_slug)
    form = {name: request.form.get(name, "").strip() for name in SERIES_FIELDS}
    zone, now = city_zone(current_app), utcnow()
    repeat, errors = series.parse_repeat(form)
    _, booking_errors = parse_booking(form, space, zone, now)
    # The first date's own problems are shown beside its dates below; the rest belong to the form.
    errors.update({k: v for k, v in booking_errors.items() if k not in series.DATE_FIELDS or not form.get(k)})
    first = _date(form["date"])
    if first is None:
        errors["date"] = "Enter the first date as month/day/year, for example 03/15/2027."
    if errors or repeat is None or first is None:
        return _form_page(space, form, errors, 422)
    checks = series.check_dates(space, form, series.dates_of(first, repeat), zone, now)
    if request.form.get("step") != "send":
        return _form_page(space, form, {}, 200, checks)
    chosen = {day for raw in request.form.getlist("day") if (day := _date(raw))}
    chosen &= {check.day for check in checks if check.free}
    if not chosen:
        return _form_page(space, form, {"day": "Tick at least one free date to send."}, 422, checks)
    entry = _staff_entry()
    try:
        result = series.send(space, repeat, checks, chosen, entry,
                             client_key=None if entry else client_key(request.remote_addr))
    except TooManyRequests as refused:
        return _form_page(space, form, {"requester_email": str(refused)}, 429, checks)
    if not result.booked:
        return _form_page(space, form, {"day": "Those dates were taken a moment ago. Nothing was booked."}, 409,
                          series.check_dates(space, form, [c.day for c in checks], zone, now))
    refused = f" Not booked: {', '.join(day.strftime('%B %-d') for day, _ in result.refused)}." if result.refused else ""
    flash(f"Sent {len(result.booked)} dates as {result.series.reference}; each has its own link in the email "
          f"we sent you. This page is the first date.{refused}", "success")
    return see_other(url_for("reservations.manage", signed=signed_token(result.booked[0])))


def _staff_entry() -> services.StaffEntry | None:
    """Desk staff signed in on this page book for the citizen whose details they typed."""
    if current_user.is_authenticated and has_role(current_user, STAFF_ROLE):
        return services.StaffEntry(current_user)
    return None


def _date(raw: str) -> date | None:
    try:
        return parse_date(raw) if raw else None
    except ValueError:
        return None
