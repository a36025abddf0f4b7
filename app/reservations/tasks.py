"""What the worker's results mean for reservations: the blocking event's id is kept on the row."""
from __future__ import annotations

from typing import Any

from app.extensions import db
from app.jobs.handlers import on_result
from app.jobs.models import GraphOperation
from app.reservations.models import Reservation


@on_result("create_event", "reservation")
def _event_created(operation: GraphOperation, result: dict[str, Any]) -> None:
    reservation = db.session.get(Reservation, int(operation.target_id))
    if reservation is not None:
        reservation.exchange_event_id = result["event_id"]


@on_result("delete_event", "reservation")
def _event_deleted(operation: GraphOperation, result: dict[str, Any]) -> None:
    reservation = db.session.get(Reservation, int(operation.target_id))
    if reservation is not None:
        reservation.exchange_event_id = None
