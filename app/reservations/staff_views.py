"""Staff screens: the queue of pending reservations, one reservation's page, and the decisions."""
from __future__ import annotations

from itertools import groupby
from operator import attrgetter

from flask import Blueprint, Response, abort, current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access import scopes
from app.access.permissions import can, ensure, requires, scopes_for, within
from app.extensions import db
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from app.reservations import queries, services
from app.reservations.models import Reservation
from app.web.confirm import Confirmation, ask_first
from app.web.htmx import render_page_or_block, see_other
from app.web.templating import city_zone
from app.web.params import whole_number

reservation_staff_bp = Blueprint("reservation_staff", __name__, url_prefix="/staff/reservations")

MAX_REASON_LENGTH = 2000


def _id_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return whole_number(raw)


@reservation_staff_bp.get("/")
@requires("reservations.approver")
def queue() -> Response:
    facility_id, space_id = _id_arg("facility"), _id_arg("space")
    allowed = scopes_for(current_user, "reservations.approver")
    pending = [r for r in queries.pending_queue(facility_id, space_id)
               if within(allowed, scopes.facility(r.space.facility_id))]
    ids = [r.id for r in pending]
    emails = queries.emails_about(ids)
    return render_page_or_block(
        "reservations/staff_queue.html", "queue",
        pending=pending, sync=queries.sync_states(ids),
        groups=[(space, list(rows)) for space, rows in groupby(pending, key=attrgetter("space"))],
        day_bookings=queries.bookings_that_day(pending, city_zone(current_app)),
        bounced={rid: [e for e in rows if e.delivery_status == "bounced"] for rid, rows in emails.items()},
        facilities=[f for f in db.session.scalars(select(Facility).order_by(Facility.name))
                    if within(allowed, scopes.facility(f.id))],
        spaces=[s for s in db.session.scalars(select(FacilitySpace).join(ReservationConfig).order_by(FacilitySpace.name))
                if within(allowed, scopes.facility(s.facility_id))],
        facility_id=facility_id, space_id=space_id,
    )


def _reservation(reservation_id: int, permission: str) -> Reservation:
    """The reservation, if the signed-in person holds `permission` for its facility (else 403)."""
    reservation = db.session.get(Reservation, reservation_id) or abort(404)
    ensure(current_user, permission, scopes.facility(reservation.space.facility_id))
    return reservation


def _render_detail(
    reservation: Reservation, status: int = 200, errors: dict[str, str] | None = None
) -> tuple[str, int]:
    emails = queries.emails_about([reservation.id]).get(reservation.id, [])
    return render_template(
        "reservations/staff_reservation.html", reservation=reservation,
        sync=queries.sync_states([reservation.id])[reservation.id],
        day=queries.bookings_that_day([reservation], city_zone(current_app))[reservation.id],
        emails=emails, history=queries.history(reservation, emails),
        can_decide=can(current_user, "reservations.approver", scopes.facility(reservation.space.facility_id)),
        errors=errors or {}, consequences={action: _consequence(action, reservation) for action in ("deny", "cancel")},
    ), status


def _consequence(action: str, reservation: Reservation) -> str:
    """What denying or cancelling does, said on the form, in the dialog and on the confirmation page."""
    if action == "deny":
        said = f"{reservation.requester_name} is told by email that the request is refused, with your reason."
    else:
        said = f"The reservation is called off: {reservation.requester_name} is told by email."
    return f"{said} The time is freed in the room's Exchange calendar. This cannot be undone."


def _ask_first(action: str, reservation: Reservation) -> tuple[str, int] | None:
    question = {"deny": "Deny request {}?", "cancel": "Cancel reservation {}?"}[action].format(reservation.reference)
    return ask_first(Confirmation(question, _consequence(action, reservation), question.rstrip("?"),
                                  url_for("reservation_staff.show", reservation_id=reservation.id)))


@reservation_staff_bp.get("/<int:reservation_id>")
@requires("reservations.viewer")
def show(reservation_id: int) -> tuple[str, int]:
    return _render_detail(_reservation(reservation_id, "reservations.viewer"))


def _after_decision(reservation: Reservation, message: str) -> Response:
    flash(message, "success")
    return see_other(url_for("reservation_staff.show", reservation_id=reservation.id))


def _not_allowed(reservation: Reservation) -> Response:
    flash(f"Reservation {reservation.reference} is already {reservation.status}; nothing was changed.", "error")
    return see_other(url_for("reservation_staff.show", reservation_id=reservation.id))


@reservation_staff_bp.post("/<int:reservation_id>/approve")
@requires("reservations.approver")
def approve(reservation_id: int) -> Response:
    reservation = _reservation(reservation_id, "reservations.approver")
    try:
        services.approve(reservation, current_user)
    except services.NotAllowed:
        return _not_allowed(reservation)
    return _after_decision(reservation, f"Approved {reservation.reference}. The requester is being emailed.")


def _reason(required: bool) -> tuple[str | None, str | None]:
    reason = request.form.get("reason", "").strip()
    if required and not reason:
        return None, "Give the reason: the requester reads it in the email."
    if len(reason) > MAX_REASON_LENGTH:
        return None, f"Keep the reason to {MAX_REASON_LENGTH} characters or fewer."
    return reason or None, None


@reservation_staff_bp.post("/<int:reservation_id>/deny")
@requires("reservations.approver")
def deny(reservation_id: int) -> Response | tuple[str, int]:
    reservation = _reservation(reservation_id, "reservations.approver")
    if not reservation.can_deny():  # decided meanwhile: say so, whatever the reason's field holds
        return _not_allowed(reservation)
    reason, error = _reason(required=True)
    if error:
        return _render_detail(reservation, 422, errors={"deny_reason": error})
    if asked := _ask_first("deny", reservation):
        return asked
    try:
        services.deny(reservation, current_user, reason or "")
    except services.NotAllowed:
        return _not_allowed(reservation)
    return _after_decision(
        reservation, f"Denied {reservation.reference}. The room's Exchange event is being removed."
    )


@reservation_staff_bp.post("/<int:reservation_id>/cancel")
@requires("reservations.approver")
def cancel(reservation_id: int) -> Response | tuple[str, int]:
    reservation = _reservation(reservation_id, "reservations.approver")
    if not reservation.can_cancel():
        return _not_allowed(reservation)
    reason, error = _reason(required=False)
    if error:
        return _render_detail(reservation, 422, errors={"cancel_reason": error})
    if asked := _ask_first("cancel", reservation):
        return asked
    try:
        services.cancel_by_staff(reservation, current_user, reason)
    except services.NotAllowed:
        return _not_allowed(reservation)
    return _after_decision(
        reservation, f"Cancelled {reservation.reference}. The room's Exchange event is being removed."
    )
