"""Reservations put straight in the database, for desk tests that need many of them."""
from __future__ import annotations

import secrets
from datetime import date, datetime, time

from app.extensions import db
from app.facilities.models import FacilitySpace
from app.reservations.models import Reservation
from app.reservations.services import new_reference
from tests.reservations.helpers import CITY


def add_reservation(space: FacilitySpace, day: date, start: str = "10:00", end: str = "11:00", *,
                    status: str = "approved", name: str = "Ann Citizen", email: str = "ann@example.org",
                    purpose: str = "Book club", commit: bool = True) -> Reservation:
    reservation = Reservation(
        reference=new_reference(), space=space, requester_name=name, requester_email=email,
        purpose=purpose, attendees=5, status=status, manage_token=secrets.token_urlsafe(32),
        start_at=datetime.combine(day, time.fromisoformat(start), tzinfo=CITY),
        end_at=datetime.combine(day, time.fromisoformat(end), tzinfo=CITY),
    )
    db.session.add(reservation)
    if commit:
        db.session.commit()
    return reservation


def outlook_booking(exchange, mailbox: str, day: date, start: str, end: str, subject: str) -> dict:  # type: ignore[no-untyped-def]
    """An event booked straight in the room's Outlook calendar (not through MyGov)."""
    return exchange.control.add_event(mailbox, {
        "subject": subject, "showAs": "busy",
        "start": {"dateTime": f"{day}T{start}:00", "timeZone": "America/Chicago"},
        "end": {"dateTime": f"{day}T{end}:00", "timeZone": "America/Chicago"},
    })
