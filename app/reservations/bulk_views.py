"""Decide several requests at once: choose in the queue, confirm on the next page, then each is
approved or denied on its own (its email and its Exchange change through the outbox, as one by one)."""
from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access import scopes
from app.access.permissions import ensure, requires
from app.extensions import db
from app.facilities.models import FacilitySpace
from app.reservations import services
from app.reservations.models import Reservation
from app.web.htmx import see_other
from app.web.params import whole_number

reservation_bulk_bp = Blueprint("reservation_bulk", __name__, url_prefix="/staff/reservations/bulk")

DECISIONS = {"approve": "Approve", "deny": "Deny"}
MAX_REASON_LENGTH = 2000
MAX_SELECTED = 200


def _chosen() -> list[Reservation]:
    ids = [n for raw in request.form.getlist("reservation")[:MAX_SELECTED] if (n := whole_number(raw))]
    if not ids:
        return []
    chosen = list(db.session.scalars(
        select(Reservation).where(Reservation.id.in_(ids))
        .options(joinedload(Reservation.space).joinedload(FacilitySpace.facility))
        .order_by(Reservation.start_at)
    ))
    for reservation in chosen:  # each one needs the approver role for its facility
        ensure(current_user, "reservations.approver", scopes.facility(reservation.space.facility_id))
    return chosen


def _back_to_queue(message: str, category: str) -> Response:
    flash(message, category)
    return see_other(url_for("reservation_staff.queue"))


def _confirm_page(chosen: list[Reservation], decision: str, errors: dict[str, str], status: int) -> tuple[str, int]:
    return render_template("reservations/bulk_confirm.html", chosen=chosen, decision=decision,
                           decision_label=DECISIONS[decision], errors=errors,
                           reason=request.form.get("reason", "")), status


@reservation_bulk_bp.post("/")
@requires("reservations.approver")
def review() -> Response | tuple[str, int]:
    decision = request.form.get("decision", "")
    chosen = _chosen()
    if decision not in DECISIONS or not chosen:
        return _back_to_queue("Tick at least one request, then choose Approve or Deny. Nothing was changed.", "error")
    return _confirm_page(chosen, decision, {}, 200)


@reservation_bulk_bp.post("/confirm")
@requires("reservations.approver")
def confirm() -> Response | tuple[str, int]:
    decision = request.form.get("decision", "")
    chosen = _chosen()
    if decision not in DECISIONS or not chosen:
        return _back_to_queue("Nothing was chosen, so nothing was changed.", "error")
    reason = request.form.get("reason", "").strip()
    if decision == "deny" and not reason:
        return _confirm_page(chosen, decision, {"reason": "Give the reason: each requester reads it in their email."}, 422)
    if len(reason) > MAX_REASON_LENGTH:
        return _confirm_page(chosen, decision, {"reason": f"Keep the reason to {MAX_REASON_LENGTH} characters or fewer."}, 422)
    done, skipped = [], []
    for reservation in chosen:
        try:
            if decision == "approve":
                services.approve(reservation, current_user)
            else:
                services.deny(reservation, current_user, reason)
            done.append(reservation.reference)
        except services.NotAllowed:
            skipped.append(reservation.reference)
    verb = "Approved" if decision == "approve" else "Denied"
    message = f"{verb} {len(done)}: {', '.join(done)}. Each requester is being emailed." if done else f"{verb} none."
    if skipped:
        message += f" Already decided, left as they were: {', '.join(skipped)}."
    return _back_to_queue(message, "success" if done else "info")
