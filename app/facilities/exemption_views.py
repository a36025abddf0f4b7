"""Allowing an overlap in a room (facilities editors): an explicit, audited exemption with a reason
that the occupancy constraint honours. Route on the facilities blueprint."""
from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from app.access.permissions import requires
from app.extensions import db
from app.facilities.views import facilities_bp, get_space
from app.reservations import occupancy_table
from app.reservations.occupancy_models import OCCUPANT_KINDS
from app.web.htmx import see_other
from app.web.params import whole_number


@facilities_bp.post("/spaces/<int:space_id>/allow-overlap")
@requires("facilities.editor")
def allow_overlap(space_id: int):
    space = get_space(space_id)
    back = url_for("facilities.reconcile_page")
    kind, source, reason = (request.form.get(name, "").strip() for name in ("kind", "source_id", "reason"))
    if kind not in OCCUPANT_KINDS or whole_number(source) is None:
        flash("That overlap is no longer listed. Check the rooms again.", "error")
        return see_other(back)
    if not reason:
        flash("Nothing was allowed: say why this overlap is allowed.", "error")
        return see_other(back)
    occupancy_table.grant_exemption(space, kind, int(source), reason, current_user)
    check = dict(space.calendar_check or {})
    check["overlaps"] = [row for row in check.get("overlaps", [])
                         if (row["kind"], row["source_id"]) != (kind, int(source))]
    space.calendar_check = check
    db.session.commit()
    flash(f"The overlap in {space.name} is allowed and recorded with your reason.", "success")
    return see_other(back)
