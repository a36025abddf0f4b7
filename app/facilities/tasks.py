"""Worker actions of the facilities area: room calendars kept true to MyGov's reservations."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.graph import calendar
from app.jobs.actions import action
from app.jobs.models import GraphOperation
from app.jobs.outbox import record_operation
from app.microsoft import graph_client
from app.reservations.models import ACTIVE_STATUSES, Reservation
from app.sqltypes import utcnow


@action(
    "facilities.reconcile_room_calendars",
    description="Re-create blocking events that vanished from room calendars (deleted in Outlook).", queue="sync",
)
def reconcile_room_calendars(params: dict[str, Any]) -> dict[str, Any]:
    counts = {"checked": 0, "recreated": 0}
    now = utcnow()
    reservations = db.session.scalars(
        select(Reservation).where(
            Reservation.status.in_(ACTIVE_STATUSES), Reservation.end_at > now,
            Reservation.exchange_event_id.is_not(None),
        )
    ).all()
    for reservation in reservations:
        mailbox = reservation.space.exchange_resource_mailbox
        if not mailbox:
            continue
        counts["checked"] += 1
        if calendar.get_event(graph_client(), mailbox, reservation.exchange_event_id) is not None:
            continue
        original = db.session.scalar(select(GraphOperation).where(
            GraphOperation.target_type == "reservation", GraphOperation.target_id == str(reservation.id),
            GraphOperation.kind == "create_event",
        ).order_by(GraphOperation.id.desc()))
        if original is None:
            continue
        key = f"{original.idempotency_key}-recreate-{now:%Y%m%dT%H%M%S}"
        event = {**original.payload["event"], "transactionId": key}
        record_operation("create_event", target_type="reservation", target_id=reservation.id,
                         payload={**original.payload, "event": event}, idempotency_key=key)
        counts["recreated"] += 1
    db.session.commit()
    return counts


