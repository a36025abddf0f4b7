"""'My reservations' without an account: a signed, expiring link to every booking of one address.

The link carries the address signed with the secret key (its own salt) and stops working after
LINK_DAYS. It is reached from any manage link, or by asking for it by email: the answer on the
page is the same whether or not the address has bookings, and an email goes out only when it has
(so the form cannot be used to send mail to strangers); both the visitor and the address are rate
limited.
"""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, Response, current_app, flash, render_template, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db, limiter
from app.facilities.models import FacilitySpace
from app.mail.services import send_template
from app.reservations.links import LinkExpired, LinkInvalid, reservation_for_link, signed_token
from app.reservations.models import Reservation
from app.sqltypes import utcnow
from app.web.htmx import see_other
from app.web.public_urls import public_url

my_reservations_bp = Blueprint("my_reservations", __name__, url_prefix="/reservations/mine")

SALT = "mygov.reservation.my-list"
LINK_DAYS = 7
ASK_LIMIT_PER_VISITOR = "5/hour;20/day"
ASK_LIMIT_PER_ADDRESS = "3/hour;6/day"
SAME_ANSWER = ("If there are reservations under that address, we have emailed it a link to see them all. "
               "The link works for 7 days. Nothing arrived? Check the spelling and your junk mail folder.")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _normal(address: str) -> str:
    return address.strip().lower()


def list_url(address: str, *, absolute: bool = False) -> str:
    signed = _serializer().dumps(_normal(address))
    return public_url("my_reservations.listing", signed=signed) if absolute else url_for(
        "my_reservations.listing", signed=signed)


def _bookings_of(address: str) -> list[Reservation]:
    return list(db.session.scalars(
        select(Reservation).where(func.lower(Reservation.requester_email) == _normal(address))
        .options(joinedload(Reservation.space).joinedload(FacilitySpace.facility))
        .order_by(Reservation.start_at.desc())
    ))


@my_reservations_bp.get("/<signed>")
def listing(signed: str) -> tuple[str, int]:
    try:
        address = _serializer().loads(signed, max_age=LINK_DAYS * 24 * 3600)
    except SignatureExpired:
        return render_template("reservations/my_reservations_problem.html", expired=True), 410
    except BadSignature:
        return render_template("reservations/my_reservations_problem.html", expired=False), 404
    now = utcnow()
    bookings = _bookings_of(address)
    links = {r.id: url_for("reservations.manage", signed=signed_token(r)) for r in bookings}
    return render_template(
        "reservations/my_reservations.html", address=address, links=links,
        upcoming=sorted((r for r in bookings if r.end_at > now), key=lambda r: r.start_at),
        past=[r for r in bookings if r.end_at <= now],
    ), 200


@my_reservations_bp.get("/from/<signed>")
def from_manage_link(signed: str) -> Response | tuple[str, int]:
    """The manage page's "all my reservations" link: the reservation's link vouches for its address."""
    try:
        reservation = reservation_for_link(signed)
    except (LinkExpired, LinkInvalid):
        return render_template("reservations/my_reservations_problem.html", expired=False), 404
    return see_other(list_url(reservation.requester_email))


def _address_key() -> str:
    return "my-reservations:" + _normal(request.form.get("email", ""))


@my_reservations_bp.route("/", methods=["GET", "POST"])
@limiter.limit(ASK_LIMIT_PER_VISITOR, methods=["POST"])
@limiter.limit(ASK_LIMIT_PER_ADDRESS, methods=["POST"], key_func=_address_key)
def ask() -> Response | tuple[str, int]:
    if request.method == "GET":
        return render_template("reservations/my_reservations_ask.html", email="", error=None), 200
    raw = request.form.get("email", "").strip()
    try:
        address = validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        return render_template("reservations/my_reservations_ask.html", email=raw,
                               error="Enter an email address like name@example.com."), 422
    bookings = _bookings_of(address)
    if bookings:
        send_template("reservation_links", recipient=address, recipient_name=bookings[0].requester_name,
                      context={"requester_name": bookings[0].requester_name, "count": len(bookings),
                               "list_url": list_url(address, absolute=True), "link_days": LINK_DAYS},
                      related_type="reservation", related_id=bookings[0].id)
        db.session.commit()
    flash(SAME_ANSWER, "info")
    return see_other(url_for("my_reservations.ask"))
