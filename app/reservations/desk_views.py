"""The booking desk: every reservation of a facility as a list (with CSV) and as a day or week grid."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime

from flask import Blueprint, Response, current_app, request, stream_with_context
from flask_login import current_user

from app.access import scopes
from app.access.permissions import requires, scopes_for
from app.facilities.models import Facility
from app.reservations import approvers, desk_grid, desk_queries
from app.web.htmx import render_page_or_block
from app.web.templating import NAV_COUNTS, city_zone
from app.web.params import BadDate, parse_date_param, whole_number

reservation_desk_bp = Blueprint("reservation_desk", __name__, url_prefix="/staff/bookings")
NAV_COUNTS["reservation_staff.queue"] = lambda: approvers.pending_count_for(current_user)


def _page_number() -> int:
    raw = request.args.get("page", "")
    return whole_number(raw, 100_000) or 1


def _allowed() -> frozenset[int] | None:
    """The facilities whose bookings the signed-in person may see (a viewer role held for some)."""
    held = scopes_for(current_user, "reservations.viewer")
    return None if held is None else frozenset(int(scopes.value_of(s)) for s in held if scopes.value_of(s).isdigit())


def _visible(filters: desk_queries.DeskFilters) -> desk_queries.DeskFilters:
    return replace(filters, facility_ids=_allowed())


def _facilities() -> list[Facility]:
    allowed = _allowed()
    return [f for f in desk_queries.facilities_with_spaces() if allowed is None or f.id in allowed]


@reservation_desk_bp.get("/")
@requires("reservations.viewer")
def bookings() -> Response:
    filters = _visible(desk_queries.parse_filters(request.args))
    zone = city_zone(current_app)
    response = render_page_or_block(
        "reservations/desk_list.html", "results",
        filters=filters, results=desk_queries.bookings_page(filters, zone, _page_number()),
        facilities=_facilities(), spaces=desk_queries.spaces_of(filters.facility_id),
        statuses=desk_queries.STATUS_LABELS,
    )
    if filters.errors:
        response.status_code = 422
    return response


@reservation_desk_bp.get("/export.csv")
@requires("reservations.viewer")
def export() -> Response:
    filters = _visible(desk_queries.parse_filters(request.args))
    zone = city_zone(current_app)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in desk_queries.csv_rows(filters, zone):
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    stamp = datetime.now(zone).strftime("%Y-%m-%d")
    return Response(stream_with_context(lines()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="reservations-{stamp}.csv"',
    })


@reservation_desk_bp.get("/grid")
@requires("reservations.viewer")
def grid() -> Response:
    zone = city_zone(current_app)
    facilities = _facilities()
    chosen = desk_queries.parse_filters(request.args).facility_id
    facility = next((f for f in facilities if f.id == chosen), facilities[0] if facilities else None)
    view = "week" if request.args.get("view") == "week" else "day"
    today = datetime.now(zone).date()
    try:
        day = parse_date_param(request.args.get("date"), today) or today
    except BadDate:  # unreadable or further than ten years: today's grid
        day = today
    spaces = desk_queries.spaces_of(facility.id) if facility else []
    built = desk_grid.build_grid(spaces, view, day, zone)
    return render_page_or_block(
        "reservations/desk_grid.html", "grid",
        facilities=facilities, facility=facility, grid=built, zone=zone,
        listing=desk_grid.items_by_day(built.rows, built.days, zone),
        today=datetime.now(zone).date(), kinds=desk_grid.KIND_LABELS,
    )
