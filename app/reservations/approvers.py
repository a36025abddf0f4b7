"""Who decides a facility's reservations, and telling them: a new request, the daily digest.

`for_facility` is the one place that answers "who approves here": the access area's holders of
reservations.approver for the whole module or for that facility.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.access import scopes
from app.access.permissions import scopes_for
from app.access.queries import holders
from app.extensions import db
from app.facilities.models import Facility, FacilitySpace
from app.jobs.actions import Param, action
from app.jobs.outbox import record_operation
from app.mail.services import send_template
from app.people.models import Employee
from app.reservations.models import Reservation
from app.sqltypes import utcnow
from app.web.templating import city_zone

DEFAULT_WAITING_HOURS = 24
WHEN_FORMAT = "%A, %B %-d, %-I:%M %p"


def for_facility(facility: Facility) -> list[Employee]:
    """Active employees with an email address who approve this facility's reservations: the
    approver role (or a stronger one) held for the whole module or for this facility."""
    return [e for e in holders("reservations.approver", scopes.facility(facility.id))
            if e.entra_removed_at is None and e.mail]


def pending_count_for(employee: Employee) -> int:
    """Requests waiting for this approver, in the facilities their role covers."""
    query = select(func.count()).select_from(Reservation).where(Reservation.status == "pending")
    held = scopes_for(employee, "reservations.approver")
    if held is not None:
        facility_ids = [int(scopes.value_of(s)) for s in held if scopes.value_of(s).isdigit()]
        query = query.join(FacilitySpace, Reservation.space_id == FacilitySpace.id).where(
            FacilitySpace.facility_id.in_(facility_ids))
    return db.session.scalar(query) or 0


def _staff_link(reservation: Reservation) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/staff/reservations/{reservation.id}"


def tell_about_new_request(reservation: Reservation) -> None:
    """In the caller's transaction: an email to each approver, and a Teams card when a webhook is set."""
    space = reservation.space
    context = {
        "reference": reservation.reference, "requester_name": reservation.requester_name,
        "space_name": space.name, "facility_name": space.facility.name,
        "facility_address": space.facility.address, "start_at": reservation.start_at,
        "end_at": reservation.end_at, "purpose": reservation.purpose, "attendees": reservation.attendees,
        "staff_url": _staff_link(reservation),
    }
    for approver in for_facility(space.facility):
        send_template("reservation_waiting", recipient=approver.mail or "", recipient_name=approver.display_name,
                      context={**context, "approver_name": approver.display_name},
                      related_type="reservation", related_id=reservation.id)
    if current_app.config.get("TEAMS_WEBHOOK_URL"):
        when = reservation.start_at.astimezone(city_zone(current_app)).strftime(WHEN_FORMAT)
        record_operation(
            # Its own target: a slow Teams webhook never holds up the reservation's Exchange writes.
            "teams_notify", target_type="notification", target_id=f"reservation-{reservation.reference}-waiting",
            payload={"title": f"Reservation request {reservation.reference} is waiting for approval",
                     "facts": {"Room": f"{space.name}, {space.facility.name}", "When": when,
                               "Requested by": reservation.requester_name, "People": str(reservation.attendees)},
                     "link": _staff_link(reservation)},
            idempotency_key=f"reservation-{reservation.reference}-waiting-teams",
        )


def send_digest(waiting_hours: int) -> dict[str, Any]:
    """One email per approver listing the requests of their facilities waiting longer than that."""
    cutoff = utcnow() - timedelta(hours=waiting_hours)
    waiting = db.session.scalars(
        select(Reservation).where(Reservation.status == "pending", Reservation.created_at <= cutoff)
        .order_by(Reservation.created_at)
    ).all()
    by_approver: dict[int, list[Reservation]] = defaultdict(list)
    approvers: dict[int, Employee] = {}
    for reservation in waiting:
        for approver in for_facility(reservation.space.facility):
            approvers[approver.id] = approver
            by_approver[approver.id].append(reservation)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    zone = city_zone(current_app)
    for approver_id, rows in by_approver.items():
        approver = approvers[approver_id]
        send_template(
            "reservation_digest", recipient=approver.mail or "", recipient_name=approver.display_name,
            context={"approver_name": approver.display_name, "waiting_hours": waiting_hours,
                     "queue_url": f"{base}/staff/reservations/",
                     "requests": [{"reference": r.reference, "space": f"{r.space.name}, {r.space.facility.name}",
                                   "requester": r.requester_name,
                                   "when": r.start_at.astimezone(zone).strftime(WHEN_FORMAT),
                                   "sent": r.created_at.astimezone(zone).strftime(WHEN_FORMAT),
                                   "url": _staff_link(r)} for r in rows]},
            related_type="employee", related_id=approver.id,
        )
    db.session.commit()
    return {"waiting": len(waiting), "approvers_emailed": len(by_approver)}


@action(
    "reservations.approval_digest",
    description="Email each approver the reservation requests waiting longer than a number of hours.",
    params=(Param("waiting_hours", kind="int", help=f"hours a request has waited (default {DEFAULT_WAITING_HOURS})"),),
    queue="mail",
)
def approval_digest(params: dict[str, Any]) -> dict[str, Any]:
    return send_digest(max(int(params.get("waiting_hours") or DEFAULT_WAITING_HOURS), 1))
