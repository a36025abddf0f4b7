"""Pages that belong to no single domain: public home, accessibility statement, staff overview, health."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from app.access.permissions import SIGNED_IN, requires
from app.calendars import catalog as calendar_catalog
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


def home_version() -> str:
    """The home page lists the public calendars and the reservable rooms: a commit touching either
    catalog's rows renders it afresh; until then every visitor gets one rendering, no database query."""
    return catalog_generations(calendar_catalog.CATALOG, rooms.CATALOG)


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
    return render_template("public/home.html", calendars=calendars, reservable=reservable)


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
    return render_template("staff/home.html", counts=counts, outbox=outbox, health=check_health())


@health_bp.get("/healthz")
@csrf.exempt
def healthz() -> tuple[Response, int]:
    report = check_health()
    return jsonify(report.as_dict()), 200 if report.healthy else 503
