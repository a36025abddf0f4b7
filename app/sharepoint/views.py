"""Facilities admins choose the SharePoint list a facility's approved reservations go to."""
from __future__ import annotations

from flask import Blueprint, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access.permissions import requires
from app.extensions import db
from app.facilities.models import Facility
from app.jobs.forms import ConfirmForm
from app.sharepoint import services
from app.web.htmx import see_other

sharepoint_bp = Blueprint("sharepoint", __name__, url_prefix="/staff/sharepoint")


@sharepoint_bp.get("/")
@requires("facilities.admin")
def index() -> str:
    facilities = db.session.scalars(select(Facility).order_by(Facility.name)).all()
    return render_template("sharepoint/index.html", rows=[(f, services.mirror_of(f.id)) for f in facilities])


@sharepoint_bp.route("/<int:facility_id>", methods=["GET", "POST"])
@requires("facilities.admin")
def facility(facility_id: int):
    chosen = db.get_or_404(Facility, facility_id)
    mirror = services.mirror_of(chosen.id)
    form = ConfirmForm()
    values = {"site_id": mirror.site_id if mirror else "", "list_id": mirror.list_id if mirror else "",
              "include_contacts": bool(mirror and mirror.include_contacts), "enabled": bool(mirror is None or mirror.enabled)}
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        values = {"site_id": request.form.get("site_id", ""), "list_id": request.form.get("list_id", ""),
                  "include_contacts": request.form.get("include_contacts") == "yes",
                  "enabled": request.form.get("enabled") == "yes"}
        errors = services.configure(chosen, values["site_id"], values["list_id"], values["include_contacts"],
                                    values["enabled"], current_user)
        if not errors:
            flash(f"Approved reservations of {chosen.name} are mirrored to the SharePoint list from now on."
                  if values["enabled"] else f"The SharePoint list of {chosen.name} is no longer written.", "success")
            return see_other(url_for("sharepoint.index"))
    return render_template("sharepoint/facility.html", facility=chosen, values=values, errors=errors,
                           form=form), 422 if errors else 200
