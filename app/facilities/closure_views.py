"""Closure screens for facilities editors: a facility's closures and the city's holiday list.
Routes on the facilities blueprint."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access.permissions import requires
from app.extensions import db
from app.facilities import closures
from app.facilities.models import Closure, Facility
from app.facilities.views import facilities_bp, get_facility
from app.web.htmx import see_other
from app.web.templating import city_zone

FIELD_ORDER = ("reason", "first_day", "last_day", "weekdays", "space_id")


@facilities_bp.route("/<int:facility_id>/closures", methods=["GET", "POST"])
@requires("facilities.editor")
def facility_closures(facility_id: int):
    return _closures_page(get_facility(facility_id))


@facilities_bp.route("/holidays", methods=["GET", "POST"])
@requires("facilities.editor")
def city_holidays():
    return _closures_page(None)


def _closures_page(facility: Facility | None):
    back = _page_url(facility)
    errors: dict[str, str] = {}
    form: dict[str, Any] = {"weekdays": []}
    space_ids = {space.id for space in facility.spaces} if facility else set()
    if request.method == "POST":
        form = {name: request.form.get(name, "") for name in FIELD_ORDER}
        form["weekdays"] = request.form.getlist("weekdays")
        try:
            data = closures.parse_closure(request.form, space_ids)
        except closures.ClosureInvalid as invalid:
            errors = invalid.errors
        else:
            closure = closures.add_closure(facility, data, current_user)
            flash(f"Closed {closures.when_words(closure)}: {closure.reason}. Room calendars in Outlook show it "
                  "within seconds; existing bookings are kept.", "success")
            return see_other(back)
    zone = city_zone(current_app)
    listed = list(db.session.scalars(select(Closure).where(
        Closure.facility_id == facility.id if facility else Closure.facility_id.is_(None)
    ).order_by(Closure.first_day)))
    return render_template(
        "facilities/closures.html", facility=facility, closures=listed, form=form, errors=errors,
        error_order=[name for name in FIELD_ORDER if name in errors], when_words=closures.when_words,
        bookings={c.id: closures.bookings_on(c, zone) for c in listed}, weekday_names=closures.WEEKDAY_NAMES,
    ), 422 if errors else 200


def _page_url(facility: Facility | None) -> str:
    return url_for("facilities.facility_closures", facility_id=facility.id) if facility else url_for(
        "facilities.city_holidays")


@facilities_bp.post("/closures/<int:closure_id>/remove")
@requires("facilities.editor")
def remove_closure(closure_id: int):
    closure = db.session.get(Closure, closure_id) or abort(404)
    facility = closure.facility
    closures.remove_closure(closure, current_user)
    flash(f"The closure is removed: {closure.reason}. Bookings are possible again on those days.", "success")
    return see_other(_page_url(facility))
