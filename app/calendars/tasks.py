"""What the worker's results mean for calendar events: the Exchange event id is kept on the row."""
from __future__ import annotations

from typing import Any

from app.calendars.models import CalendarEvent
from app.extensions import db
from app.jobs.handlers import on_result
from app.jobs.models import GraphOperation


@on_result("create_event", "calendar_event")
def _created(operation: GraphOperation, result: dict[str, Any]) -> None:
    event = db.session.get(CalendarEvent, int(operation.target_id))
    if event is not None:
        event.exchange_event_id = result["event_id"]


@on_result("delete_event", "calendar_event")
def _deleted(operation: GraphOperation, result: dict[str, Any]) -> None:
    event = db.session.get(CalendarEvent, int(operation.target_id))
    if event is not None:
        event.exchange_event_id = None
