"""The reservation settings screen of a space (facilities editors): parse, save, show what the rules
now leave out. Routes on the facilities blueprint."""
from __future__ import annotations

from flask import current_app, flash, render_template, request, url_for
from flask_login import current_user

from app.access.permissions import requires
from app.facilities import reservation_settings as settings
from app.facilities.views import facilities_bp, get_space
from app.web.htmx import see_other
from app.web.templating import city_zone

FIELD_ORDER = (
    "citizen_reservable", *(settings.hours_field(n) for n, _ in settings.WEEKDAYS), "step_minutes",
    *(name for name, *_ in settings.NUMBERS), "contact_for_changes", "instructions",
)


@facilities_bp.route("/spaces/<int:space_id>/reservation-settings", methods=["GET", "POST"])
@requires("facilities.editor")
def reservation_settings(space_id: int):
    space = get_space(space_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {name: request.form.get(name, "") for name in (*FIELD_ORDER, "approval_required")}
        try:
            values = settings.parse_settings(form)
        except settings.SettingsInvalid as invalid:
            errors = invalid.errors
        else:
            settings.save_settings(space, values, current_user)
            flash("The reservation settings are saved. Existing bookings were kept as they are.", "success")
            return see_other(url_for("facilities.reservation_settings", space_id=space.id) + "#saved")
    else:
        form = settings.form_values(space)
    return render_template(
        "facilities/reservation_settings.html", space=space, facility=space.facility, form=form, errors=errors,
        weekdays=settings.WEEKDAYS, numbers=settings.NUMBERS, steps=settings.STEPS,
        error_order=[name for name in FIELD_ORDER if name in errors], hours_field=settings.hours_field,
        outside=settings.outside_rules(space, city_zone(current_app)),
    ), 422 if errors else 200
