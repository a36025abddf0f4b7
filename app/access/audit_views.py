"""Read-only screens for platform admins: the audit log and the app's Graph permissions."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template, request

from app.access import queries
from app.access.audit_words import action_words, change_words
from app.access.permissions import requires
from app.graph import GraphError
from app.graph.permissions import REQUIRED_APP_PERMISSIONS, token_claims
from app.microsoft import graph_client
from app.web.csv_export import csv_response
from app.web.htmx import render_page_or_block
from app.web.templating import city_zone
from app.web.params import whole_number

MAX_PAGE = 100_000  # further than anyone pages; a larger number shows the first page

audit_bp = Blueprint("access_audit", __name__, url_prefix="/staff/access")
audit_bp.add_app_template_filter(action_words, "audit_action")
audit_bp.add_app_template_filter(change_words, "audit_change")


@audit_bp.get("/audit")
@requires("platform.admin")
def audit_log():
    filters = queries.AuditFilter.from_args(request.args)
    page = whole_number(request.args.get("page"), MAX_PAGE) or 1
    entries, total = queries.audit_page(filters, page)
    return render_page_or_block(
        "access/audit.html", "results", entries=entries, total=total, page=page, filters=filters,
        page_size=queries.AUDIT_PAGE_SIZE, actions=queries.audit_actions(), people=queries.people_by_id(entries),
    )


@audit_bp.get("/audit.csv")
@requires("platform.admin")
def audit_export() -> Response:
    """The audit log with the filters on screen, as CSV."""
    entries = queries.audit_rows(queries.AuditFilter.from_args(request.args))
    people = queries.people_by_id(entries)
    zone = city_zone(current_app)
    return csv_response("mygov-audit-log.csv", ("When", "Who", "Action", "About", "Before", "After"), (
        (e.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), e.actor_label, e.action,
         people[e.target_id].display_name if e.target_id in people else f"{e.target_type} {e.target_id}",
         json.dumps(e.before, ensure_ascii=False) if e.before else "",
         json.dumps(e.after, ensure_ascii=False) if e.after else "")
        for e in entries))


@audit_bp.get("/graph-permissions")
@requires("platform.admin")
def graph_permissions():
    """What the contract requires beside what the app token actually carries."""
    granted: set[str] = set()
    error = None
    try:
        granted = set(token_claims(graph_client().tokens.access_token()).get("roles", []))
    except GraphError as graph_error:
        error = str(graph_error)
    rows = [(name, why, name in granted) for name, why in REQUIRED_APP_PERMISSIONS.items()]
    extra = sorted(granted - set(REQUIRED_APP_PERMISSIONS))
    return render_template(
        "access/graph_permissions.html", rows=rows, extra=extra, error=error,
        missing=[name for name, _, ok in rows if not ok],
        client_id=current_app.config["ENTRA_CLIENT_ID"], tenant_id=current_app.config["ENTRA_TENANT_ID"],
    )
