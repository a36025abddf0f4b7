"""Staff enter a booking for a citizen (phone, walk-in) through the citizens' rules.

A holder of a facilities role may set the space's own rules aside (open days and hours,
duration, lead time, attendee limit) with a reason; the booking records what was set aside and
the audit log keeps it. Nothing sets aside another booking: overlaps are refused as for anyone.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, request, url_for
from flask_login import current_user

from app.access.permissions import has_role, requires
from app.extensions import db
from app.facilities.models import FacilitySpace
from app.reservations import desk_queries, exchange, services
from app.reservations.rules import FIELD_LABELS, FIELD_ORDER, parse_booking
from app.sqltypes import utcnow
from app.web.htmx import render_page_or_block, see_other
from app.web.templating import city_zone
from app.web.params import whole_number

staff_booking_bp = Blueprint("staff_booking", __name__, url_prefix="/staff/bookings/new")

OVERRIDE_ROLE = "facilities.editor"
MAX_REASON_LENGTH = 2000
STAFF_FIELD_ORDER = ("space", *FIELD_ORDER, "override_reason")
STAFF_FIELD_LABELS = {**FIELD_LABELS, "space": "Room", "requester_name": "Requester's name",
                      "requester_email": "Requester's email address", "requester_phone": "Requester's phone number",
                      "override_reason": "Reason for setting the rules aside"}
# The citizens' form speaks to the requester; here staff type for them.
STAFF_WORDING = {"Enter your name.": "Enter the requester's name.",
                 "Enter your email address: we send the confirmation there.":
                     "Enter the requester's email address: the confirmation goes there."}


def _render(form: dict[str, str], errors: dict[str, str], status: int, broken: dict[str, str] | None = None) -> Response:
    response = render_page_or_block(
        "reservations/staff_booking.html", "booking_form",
        form=form, errors=errors, broken=broken or {}, field_order=STAFF_FIELD_ORDER,
        field_labels=STAFF_FIELD_LABELS, spaces=desk_queries.spaces_of(None),
        may_override=has_role(current_user, OVERRIDE_ROLE),
    )
    response.status_code = status
    return response


@staff_booking_bp.get("/")
@requires("reservations.approver")
def new() -> Response:
    return _render({"space": request.args.get("space", "")}, {}, 200)


@staff_booking_bp.post("/")
@requires("reservations.approver")
def create() -> Response:
    form = {name: request.form.get(name, "") for name in ("space", *FIELD_ORDER, "override_reason")}
    form["override"] = "yes" if request.form.get("override") == "yes" else ""
    raw_space = form["space"]
    space = db.session.get(FacilitySpace, whole_number(raw_space)) if whole_number(raw_space) else None
    if space is None or space.reservation_config is None:
        return _render(form, {"space": "Choose the room to book."}, 422)
    override = bool(form["override"]) and has_role(current_user, OVERRIDE_ROLE)
    broken: dict[str, str] = {}
    booking, errors = parse_booking(form, space, city_zone(current_app), utcnow(),
                                    broken_rules=broken if override else None)
    reason = " ".join(form["override_reason"].split())
    if override and broken and not reason:
        errors["override_reason"] = "Say why the rules are set aside: it is kept in the audit log."
    elif len(reason) > MAX_REASON_LENGTH:
        errors["override_reason"] = f"Keep the reason to {MAX_REASON_LENGTH} characters or fewer."
    if booking is None or errors:
        return _render(form, {name: STAFF_WORDING.get(message, message) for name, message in errors.items()}, 422, broken)
    entry = services.StaffEntry(current_user, broken, reason or None)
    try:
        reservation = services.submit_reservation(space, booking, entry)
    except services.SlotTaken:
        return _render(form, {"start_time": "That time is taken in MyGov or in Outlook. Choose another time."}, 409)
    except exchange.ExchangeUnavailable:
        return _render(form, {"start_time": "The room's Outlook calendar could not be read, so the time could "
                                            "not be checked. Try again in a minute; nothing was booked."}, 503)
    flash(f"Booked {reservation.reference} for {reservation.requester_name}. They are being emailed.", "success")
    return see_other(url_for("reservation_staff.show", reservation_id=reservation.id))
