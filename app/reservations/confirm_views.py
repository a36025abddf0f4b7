"""The link a citizen's first email carries: they confirm their address, or their request lapses
(app/reservations/confirmation.py). Opening the link shows a button; only pressing it (a POST)
confirms, so a mail scanner that follows links confirms nothing."""
from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, url_for

from app.reservations import services
from app.reservations.confirmation import reservation_for_confirm_link
from app.reservations.links import LinkExpired, LinkInvalid, signed_token
from app.reservations.models import Reservation
from app.web.htmx import see_other

reservation_confirm_bp = Blueprint("reservation_confirm", __name__, url_prefix="/reservations/confirm")


def _from_link(signed: str) -> Reservation | tuple[str, int]:
    try:
        return reservation_for_confirm_link(signed)
    except LinkExpired:
        return render_template("reservations/confirm.html", reservation=None, expired=True), 410
    except LinkInvalid:
        return render_template("reservations/link_problem.html", expired=False), 404


@reservation_confirm_bp.get("/<signed>")
def confirm_page(signed: str) -> str | tuple[str, int]:
    reservation = _from_link(signed)
    if not isinstance(reservation, Reservation):
        return reservation
    return render_template("reservations/confirm.html", reservation=reservation, signed=signed, expired=False,
                           reservation_link=signed_token(reservation))


@reservation_confirm_bp.post("/<signed>")
def confirm(signed: str) -> Response | tuple[str, int]:
    reservation = _from_link(signed)
    if not isinstance(reservation, Reservation):
        return reservation
    if services.confirm_address(reservation):
        flash(f"Thank you: your email address is confirmed and request {reservation.reference} stands. "
              "We sent you a receipt.", "success")
    elif reservation.email_confirmed_at is not None:
        flash("Your email address was already confirmed.", "info")
    return see_other(url_for("reservations.manage", signed=signed_token(reservation)))
