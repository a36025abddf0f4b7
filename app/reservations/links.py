"""The citizen's link to view and cancel a reservation: no account, no guessable id.

The link carries the reservation's random manage token, signed with the secret key, so a
tampered link is refused before the database is asked, and the reservation is found by that
random token only (never by its id or reference).
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.reservations.models import Reservation
from app.reservations.rules import MAX_HORIZON_DAYS
from app.web.public_urls import public_url

SALT = "mygov.reservation.manage-link"
# Long enough for a reservation made as far ahead as allowed, with room to spare afterwards.
MAX_AGE_SECONDS = (MAX_HORIZON_DAYS + 30) * 24 * 3600


class LinkExpired(Exception):
    """A genuine link older than MAX_AGE_SECONDS."""


class LinkInvalid(Exception):
    """A link that was altered, truncated, or whose reservation no longer exists."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def signed_token(reservation: Reservation, salt: str = SALT) -> str:
    """The reservation's token signed for one purpose (`salt`): a link made for one is refused by another."""
    return _serializer(salt).dumps(reservation.manage_token)


def manage_url(reservation: Reservation) -> str:
    """Absolute, for email: the public base URL, not whatever host the request came in on."""
    return public_url("reservations.manage", signed=signed_token(reservation))


def reservation_for_link(signed: str, salt: str = SALT, max_age: int = MAX_AGE_SECONDS) -> Reservation:
    try:
        token = _serializer(salt).loads(signed, max_age=max_age)
    except SignatureExpired:
        raise LinkExpired() from None
    except BadSignature:
        raise LinkInvalid() from None
    reservation = db.session.scalar(select(Reservation).where(Reservation.manage_token == token))
    if reservation is None:
        raise LinkInvalid()
    return reservation
