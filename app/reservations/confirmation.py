"""Citizens' booking form cannot be turned against rooms or people (issue 18).

The design writes a request's hold into the room's Exchange calendar at once, and emails the
address the form gave. Unchecked, anyone could block every room with made-up requests and make the
city's sender write to any address, with their own words in it. What bounds that here:

- **The hold lapses unless the address is confirmed.** A citizen's request waits for them to open
  the link MyGov emails them and press "Confirm" (a POST: mail scanners that follow links do not
  confirm) within BOOKING_CONFIRM_MINUTES. The "Release unconfirmed bookings" server job cancels a
  request still unconfirmed after that and removes its hold from Exchange through the outbox,
  without writing to the address again. A real citizen confirms in a minute; a spammer's hold
  lasts an hour at most.
- **That first email carries nothing the requester typed**: no name (not even as the recipient's
  display name), no purpose. Only the room, the time, the reference and the link. Only after the
  address is confirmed does the usual receipt (with their name) go out.
- **Caps on open requests**: per email address (BOOKING_MAX_OPEN_PER_ADDRESS) and per client
  (BOOKING_MAX_OPEN_PER_CLIENT, keyed by a keyed hash of the network address, which ProxyFix makes
  the real client's behind the city's proxy); and a client may make MyGov write to at most
  BOOKING_MAX_ADDRESSES_PER_HOUR different addresses an hour. Open means pending or approved and
  not yet over; a lapsed or cancelled request no longer counts; a repeating booking counts once.
- The per-client rate limit on the form (reservations.public_views.SUBMIT_RATE_LIMIT) stays.

Bookings staff enter for a caller skip all of this (`submit_reservation(..., entry=StaffEntry(staff))`):
staff are signed in and accountable, and the caller gave their address to a person.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import func, select

from app.extensions import db
from app.mail.services import send_template
from app.reservations.links import reservation_for_link, signed_token
from app.reservations.models import ACTIVE_STATUSES, Reservation

SALT = "mygov.reservation.confirm-address"
CONFIRM_TEMPLATE = "reservation_confirm_address"


class TooManyRequests(Exception):
    """A cap is reached; str() says which, for the citizen, and nothing was written."""


def confirm_minutes() -> int:
    return int(current_app.config["BOOKING_CONFIRM_MINUTES"])


def deadline(now: datetime) -> datetime | None:
    """When a citizen's new request lapses unless confirmed; None when confirmation is off."""
    minutes = confirm_minutes()
    return now + timedelta(minutes=minutes) if minutes > 0 else None


def client_key(remote_address: str | None) -> str:
    """Who sent a request, as a keyed hash: the same client gets the same key, the address is not kept."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, (remote_address or "unknown").encode(), hashlib.sha256).hexdigest()


def _open(now: datetime) -> list[object]:
    return [Reservation.status.in_(ACTIVE_STATUSES), Reservation.end_at > now]


# A series' dates count as one request: a reservation is counted by its series (negated, so the
# two kinds of id never meet) or by itself.
_REQUEST = func.count(func.distinct(func.coalesce(-Reservation.series_id, Reservation.id)))


def check_limits(email: str, client: str | None, now: datetime) -> None:
    """Raise TooManyRequests when this citizen request would go over a cap."""
    config = current_app.config
    by_address = db.session.scalar(select(_REQUEST).where(
        *_open(now), func.lower(Reservation.requester_email) == email.lower()))
    if by_address >= int(config["BOOKING_MAX_OPEN_PER_ADDRESS"]):
        raise TooManyRequests(
            f"This email address already has {by_address} open requests. Cancel one with the link in its "
            "email, or wait until it has taken place, then send this one.")
    if client is None:
        return
    by_client = db.session.scalar(select(_REQUEST).where(
        *_open(now), Reservation.client_key == client))
    if by_client >= int(config["BOOKING_MAX_OPEN_PER_CLIENT"]):
        raise TooManyRequests(
            f"{by_client} open requests have already been sent from your connection. Cancel one with the "
            "link in its email, or call the facility to book.")
    written = set(db.session.scalars(select(func.lower(Reservation.requester_email)).distinct().where(
        Reservation.client_key == client, Reservation.created_at > now - timedelta(hours=1))))
    if email.lower() not in written and len(written) >= int(config["BOOKING_MAX_ADDRESSES_PER_HOUR"]):
        raise TooManyRequests(
            "Requests for several email addresses have been sent from your connection this hour. "
            "Please try again in an hour, or call the facility to book.")


def confirm_url(reservation: Reservation) -> str:
    path = url_for("reservation_confirm.confirm_page", signed=signed_token(reservation, SALT))
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def reservation_for_confirm_link(signed: str) -> Reservation:
    """The reservation a confirmation link names; LinkExpired once its time to confirm is over."""
    return reservation_for_link(signed, SALT, max_age=max(confirm_minutes(), 1) * 60)


def ask_to_confirm(reservation: Reservation) -> None:
    """The first email to an address not yet confirmed: nothing in it that the requester typed."""
    send_template(
        CONFIRM_TEMPLATE, recipient=reservation.requester_email, recipient_name="",
        context={
            "reference": reservation.reference, "space_name": reservation.space.name,
            "facility_name": reservation.space.facility.name,
            "facility_address": reservation.space.facility.address,
            "start_at": reservation.start_at, "end_at": reservation.end_at,
            "confirm_url": confirm_url(reservation), "confirm_minutes": confirm_minutes(),
        },
        related_type="reservation", related_id=reservation.id,
    )


def lapsed(now: datetime) -> list[Reservation]:
    """Requests whose address was not confirmed in time and that still hold their room."""
    return list(db.session.scalars(select(Reservation).where(
        Reservation.status.in_(ACTIVE_STATUSES), Reservation.email_confirmed_at.is_(None),
        Reservation.confirm_by.is_not(None), Reservation.confirm_by <= now,
    ).order_by(Reservation.id)))
