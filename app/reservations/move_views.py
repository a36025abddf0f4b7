"""Move a booking: staff from the reservation's page, the citizen from their manage link."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access import scopes
from app.access.permissions import ensure, requires
from app.extensions import db
from app.facilities.models import FacilitySpace, ReservationConfig
from app.reservations import exchange, moves, services
from app.reservations.formatting import too_late_message
from app.reservations.links import LinkExpired, LinkInvalid, reservation_for_link
from app.reservations.models import Reservation
from app.reservations.rules import FIELD_LABELS, parse_booking
from app.sqltypes import utcnow
from app.web.htmx import see_other
from app.web.templating import city_zone

move_bp = Blueprint("reservation_move", __name__)

MOVE_FIELDS = ("space", "date", "start_time", "end_time")
MOVE_LABELS = {"space": "Room", **{name: FIELD_LABELS[name] for name in MOVE_FIELDS[1:]}}


def _rooms(reservation: Reservation, *, citizen: bool) -> list[FacilitySpace]:
    """Rooms of the same facility it may move to (citizens: only rooms they may book)."""
    query = (select(FacilitySpace).join(ReservationConfig)
             .where(FacilitySpace.facility_id == reservation.space.facility_id).order_by(FacilitySpace.name))
    if citizen:
        query = query.where(ReservationConfig.citizen_reservable.is_(True))
    return list(db.session.scalars(query))


def _current(reservation: Reservation) -> dict[str, str]:
    zone = city_zone(current_app)
    start, end = reservation.start_at.astimezone(zone), reservation.end_at.astimezone(zone)
    return {"space": str(reservation.space_id), "date": start.date().isoformat(),
            "start_time": start.strftime("%H:%M"), "end_time": end.strftime("%H:%M")}


def _page(reservation: Reservation, form: dict[str, str], errors: dict[str, str], status: int, *,
          action: str, back: str, citizen: bool) -> tuple[str, int]:
    return render_template(
        "reservations/move.html", reservation=reservation, form=form, errors=errors, action=action, back=back,
        rooms=_rooms(reservation, citizen=citizen), field_order=MOVE_FIELDS, field_labels=MOVE_LABELS,
        layout="layouts/public.html" if citizen else "layouts/staff.html",
    ), status


def _attempt(reservation: Reservation, staff, *, action: str, back: str) -> Response | tuple[str, int]:  # type: ignore[no-untyped-def]
    citizen = staff is None
    form = {name: request.form.get(name, "").strip() for name in MOVE_FIELDS}
    rooms = {str(room.id): room for room in _rooms(reservation, citizen=citizen)}
    space = rooms.get(form["space"])
    if space is None:
        return _page(reservation, form, {"space": "Choose a room from the list."}, 422,
                     action=action, back=back, citizen=citizen)
    fields = {"requester_name": reservation.requester_name, "requester_email": reservation.requester_email,
              "requester_phone": reservation.requester_phone or "", "purpose": reservation.purpose,
              "attendees": str(reservation.attendees), **form}
    booking, errors = parse_booking(fields, space, city_zone(current_app), utcnow())
    if booking is None:
        return _page(reservation, form, errors, 422, action=action, back=back, citizen=citizen)
    try:
        moves.move(reservation, space, booking, staff=staff)
    except services.NotAllowed:
        flash(f"Reservation {reservation.reference} is {reservation.status}; it cannot be moved.", "error")
        return see_other(back)
    except services.TooLateToChange as late:
        flash(too_late_message(reservation, late.contact), "error")
        return see_other(back)
    except services.SlotTaken:
        return _page(reservation, form, {"start_time": "That time is taken. Choose another time or room."}, 409,
                     action=action, back=back, citizen=citizen)
    except exchange.ExchangeUnavailable:
        return _page(reservation, form, {"start_time": "The room's calendar could not be checked just now. "
                                                       "Try again in a minute; nothing was changed."}, 503,
                     action=action, back=back, citizen=citizen)
    flash(f"Reservation {reservation.reference} is moved. The new time is confirmed by email.", "success")
    return see_other(back)


@move_bp.route("/staff/reservations/<int:reservation_id>/move", methods=["GET", "POST"])
@requires("reservations.approver")
def staff_move(reservation_id: int) -> Response | tuple[str, int]:
    reservation = db.session.get(Reservation, reservation_id) or abort(404)
    ensure(current_user, "reservations.approver", scopes.facility(reservation.space.facility_id))
    action = url_for("reservation_move.staff_move", reservation_id=reservation_id)
    back = url_for("reservation_staff.show", reservation_id=reservation_id)
    if request.method == "GET":
        return _page(reservation, _current(reservation), {}, 200, action=action, back=back, citizen=False)
    return _attempt(reservation, current_user, action=action, back=back)


@move_bp.route("/reservations/manage/<signed>/move", methods=["GET", "POST"])
def citizen_move(signed: str) -> Response | tuple[str, int]:
    try:
        reservation = reservation_for_link(signed)
    except LinkExpired:
        return render_template("reservations/link_problem.html", expired=True), 410
    except LinkInvalid:
        return render_template("reservations/link_problem.html", expired=False), 404
    action = url_for("reservation_move.citizen_move", signed=signed)
    back = url_for("reservations.manage", signed=signed)
    if request.method == "GET":
        return _page(reservation, _current(reservation), {}, 200, action=action, back=back, citizen=True)
    return _attempt(reservation, None, action=action, back=back)
