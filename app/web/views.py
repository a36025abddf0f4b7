"""Pages that belong to no single domain: public home, accessibility statement, staff overview, health."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template
from markupsafe import Markup
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from app.access.permissions import SIGNED_IN, requires
from app.calendars.models import Calendar
from app.extensions import csrf, db
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from app.jobs.health import check_health
from app.jobs.models import GraphOperation
from app.jobs.queue import get_redis
from app.people.models import Employee
from app.reservations.models import Reservation

public_bp = Blueprint("public", __name__)
staff_bp = Blueprint("staff", __name__, url_prefix="/staff")
health_bp = Blueprint("health", __name__)


HOME_LISTS_KEY = "mygov:public:home-lists"


@public_bp.get("/")
def home() -> str:
    return render_template("public/home.html", lists=Markup(_home_lists()))


def _home_lists() -> str:
    """The public calendars and reservable rooms, the same for every visitor and rarely changed:
    rendered once per HOME_CACHE_SECONDS, so the busiest page usually touches no database."""
    seconds = int(current_app.config["HOME_CACHE_SECONDS"])
    try:
        cached = get_redis().get(HOME_LISTS_KEY) if seconds > 0 else None
    except RedisError:
        cached = None  # Redis down: render from the database
    if cached is not None:
        return cached.decode()
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
    html = render_template("public/_home_lists.html", calendars=calendars, reservable=reservable)
    if seconds > 0:
        try:
            get_redis().set(HOME_LISTS_KEY, html, ex=seconds)
        except RedisError:
            pass
    return html


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
