"""Pages that belong to no single domain: public home, accessibility statement, staff overview, health."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, jsonify, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from flask_login import current_user

from app.access.models import RoleAssignment
from app.access.permissions import SIGNED_IN, requires
from app.access.queries import platform_admins
from app.calendars import catalog as calendar_catalog
from app.calendars.feed_version import generations
from app.calendars.queries import Occurrence, feed_events, occurrences
from app.calendars.scope import COMBINED_SLUG, Scope, scope_for
from app.calendars.models import Calendar
from app.extensions import csrf, db
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from app.jobs.health import check_health
from app.jobs.models import GraphOperation
from app.people.models import Employee
from app.reservations import rooms
from app.reservations.models import Reservation
from app.web.lookups import catalog_generations
from app.web.page_cache import cached_page

public_bp = Blueprint("public", __name__)
staff_bp = Blueprint("staff", __name__, url_prefix="/staff")
health_bp = Blueprint("health", __name__)


WHATS_ON_DAYS = 7
WHATS_ON_MAX = 12


def home_version() -> str:
    """The home page lists the public calendars, the reservable rooms and the next days' events: a
    commit touching any of them, or a new day, renders it afresh; until then every visitor gets one
    rendering, no database query."""
    scope = scope_for(COMBINED_SLUG)
    return f"{catalog_generations(calendar_catalog.CATALOG, rooms.CATALOG)}|{generations(scope.calendars)}|{scope.today}"


def whats_on() -> tuple[Scope, dict[date, list[Occurrence]], int]:
    """The next days' occurrences across every public calendar, by day; and how many there are in all."""
    scope = scope_for(COMBINED_SLUG)
    events, _ = feed_events(scope.calendars, scope.today)
    found = [o for o in occurrences(events, scope.zone, scope.today, scope.today + timedelta(days=WHATS_ON_DAYS - 1))
             if not o.cancelled]
    days: dict[date, list[Occurrence]] = {}
    for occurrence in found[:WHATS_ON_MAX]:
        days.setdefault(occurrence.day, []).append(occurrence)
    return scope, days, len(found)


@public_bp.get("/")
@cached_page(home_version)
def home() -> str:
    calendars = db.session.scalars(
        select(Calendar).where(Calendar.is_public).order_by(Calendar.name)
    ).all()
    reservable = db.session.scalars(
        select(FacilitySpace)
        .join(ReservationConfig)
        .join(Facility)
        .options(contains_eager(FacilitySpace.facility))
        .where(ReservationConfig.citizen_reservable, FacilitySpace.archived_at.is_(None))
        .order_by(Facility.name, FacilitySpace.name)
    ).all()
    scope, days, total = whats_on()
    return render_template("public/home.html", calendars=calendars, reservable=reservable, scope=scope,
                           whats_on=days, whats_on_total=total, whats_on_days=WHATS_ON_DAYS)


@public_bp.get("/accessibility")
def accessibility() -> str:
    return render_template("public/accessibility.html")


@staff_bp.get("/")
@requires(SIGNED_IN)
def home() -> str:
    counts = {
        "employees": db.session.scalar(select(func.count()).select_from(Employee)),
        "facilities": db.session.scalar(select(func.count()).select_from(Facility)),
        "spaces": db.session.scalar(select(func.count()).select_from(FacilitySpace)),
        "pending_reservations": db.session.scalar(
            select(func.count()).select_from(Reservation).where(Reservation.status == "pending")
        ),
    }
    outbox = dict(
        db.session.execute(
            select(GraphOperation.status, func.count()).group_by(GraphOperation.status)
        ).all()
    )
    has_role = db.session.scalar(select(func.count()).select_from(RoleAssignment)
                                 .where(RoleAssignment.employee_id == current_user.id))
    return render_template("staff/home.html", counts=counts, outbox=outbox, health=check_health(),
                           admins_to_ask=[] if has_role else platform_admins(), has_role=bool(has_role))


@health_bp.get("/healthz")
@csrf.exempt
def healthz() -> tuple[Response, int]:
    report = check_health()
    return jsonify(report.as_dict()), 200 if report.healthy else 503
