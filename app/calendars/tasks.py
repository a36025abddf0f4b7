"""What the worker's results mean for calendar events (the Exchange event id is kept on the row), and the
server job that watches Outlook for changes to published events."""
from __future__ import annotations

from typing import Any

from app.calendars.models import CalendarEvent
from app.calendars.outlook_watch import check_published_events
from app.extensions import db
from app.jobs.actions import action
from app.jobs.polling import poll_due, skipped
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


@action("calendars.check_outlook_changes", description="Find events published from Outlook that were changed or "
        "deleted there, mark them for review and email the calendar publishers (the website is not changed).",
        queue="sync")
def check_outlook_changes(params: dict[str, Any]) -> dict[str, Any]:
    if not poll_due("outlook_calendar"):
        return skipped("outlook_calendar")
    return check_published_events()
