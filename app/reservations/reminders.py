"""The reminder job: approved reservations starting within the next N hours get one email."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.jobs.actions import Param, action
from app.reservations.models import Reservation
from app.reservations.services import remind
from app.sqltypes import utcnow

DEFAULT_HOURS_BEFORE = 24


def send_due_reminders(hours_before: int) -> dict[str, Any]:
    now = utcnow()
    due = db.session.scalars(
        select(Reservation).where(
            Reservation.status == "approved", Reservation.reminder_sent_at.is_(None),
            Reservation.start_at > now, Reservation.start_at <= now + timedelta(hours=hours_before),
        ).order_by(Reservation.start_at)
    ).all()
    for reservation in due:
        remind(reservation)
    db.session.commit()
    return {"reminded": len(due), "hours_before": hours_before}


@action(
    "reservations.send_reminders",
    description="Email citizens a reminder of their approved reservations starting soon (once each).",
    params=(Param("hours_before", kind="int", help=f"hours before the start (default {DEFAULT_HOURS_BEFORE})"),),
    queue="mail",
)
def send_reminders(params: dict[str, Any]) -> dict[str, Any]:
    hours = int(params.get("hours_before") or DEFAULT_HOURS_BEFORE)
    return send_due_reminders(max(hours, 1))
