"""Who holds what: role → holders and person × role, each also as CSV."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

from app.access.holdings import by_person, holdings
from app.access.notices import last_day
from app.access.permissions import requires
from app.access.registry import MODULES, ROLES
from app.web.csv_export import csv_response
from app.web.templating import city_zone

holders_bp = Blueprint("access_holders", __name__, url_prefix="/staff/access/holders")
CSV_HEADER = ("Person", "Email", "Department", "Module", "Role", "Held for", "Source", "Since", "Last day")


def _role_filter() -> str:
    wanted = request.args.get("role", "")
    if wanted and wanted not in {d.qualified_name for d in ROLES}:
        abort(404)
    return wanted


@holders_bp.get("/")
@requires("platform.admin")
def index() -> str:
    wanted = _role_filter()
    rows = holdings(wanted)
    return render_template("access/holders.html", rows=rows, people=by_person(rows), roles=ROLES, wanted=wanted,
                           module_title=MODULES.get, last_day=last_day)


@holders_bp.get("/holders.csv")
@requires("platform.admin")
def export() -> Response:
    wanted = _role_filter()
    zone = city_zone(current_app)
    return csv_response(f"mygov-role-holders{'-' + wanted if wanted else ''}.csv", CSV_HEADER, (
        (h.employee.display_name, h.employee.mail or h.employee.upn or "", h.employee.department or "",
         MODULES[h.definition.module], h.definition.title, h.held_for, h.source,
         h.granted_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), last_day(h.ends_at) if h.ends_at else "")
        for h in holdings(wanted)))
