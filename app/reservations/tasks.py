"""What workers do for reservations: record the blocking event's id and the history line, and
refresh a busy room's free/busy ahead of its page."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from app.extensions import db
from app.jobs.actions import action
from app.jobs.handlers import on_result
from app.jobs.models import GraphOperation
from app.reservations import exchange, occupancy_table, services
from app.reservations.models import Reservation
from app.reservations.services import record_sync_result


@on_result("create_event", "reservation")
def _event_created(operation: GraphOperation, result: dict[str, Any]) -> None:
    reservation = db.session.get(Reservation, int(operation.target_id))
    if reservation is not None:
        reservation.exchange_event_id = result["event_id"]
        reservation.exchange_mailbox = operation.payload["mailbox"]
        record_sync_result(reservation.id, "event_written", "The room is blocked in Exchange.")


@on_result("delete_event", "reservation")
def _event_deleted(operation: GraphOperation, result: dict[str, Any]) -> None:
    reservation = db.session.get(Reservation, int(operation.target_id))
    if reservation is not None:
        reservation.exchange_event_id = None
        reservation.exchange_mailbox = None
        detail = "Removed from the room's Exchange calendar." if result.get("deleted") else (
            "Nothing to remove: the event never reached Exchange.")
        record_sync_result(reservation.id, "event_removed", detail)


def refresh_free_busy(mailbox: str, start: str, end: str, max_age: int) -> None:
    """Enqueued by exchange.room_bookings when a room's free/busy answer is half its age."""
    exchange.refresh_free_busy(mailbox, datetime.fromisoformat(start), datetime.fromisoformat(end), max_age)


@action("reservations.release_unconfirmed", description="Cancel citizens' booking requests whose email address "
        "was not confirmed in time, and remove their holds from the room calendars.")
def release_unconfirmed(params: dict[str, Any]) -> dict[str, Any]:
    return {"released": services.release_unconfirmed()}


@action("reservations.extend_occupancy", description="Carry each room's published series and closures forward "
        "in the occupancy table as the booking horizon moves (run daily); counts overlaps left for staff.")
def extend_occupancy(params: dict[str, Any]) -> dict[str, Any]:
    return occupancy_table.sync_all_rooms()
