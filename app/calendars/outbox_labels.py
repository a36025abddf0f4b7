"""How the ops screens name calendar writes: the event's title and its calendar."""
from __future__ import annotations

from app.calendars.models import CalendarEvent
from app.extensions import db
from app.jobs.labels import describes, kind_words
from app.jobs.models import GraphOperation


@describes("calendar_event")
def calendar_event(operation: GraphOperation) -> str | None:
    event = db.session.get(CalendarEvent, int(operation.target_id)) if operation.target_id.isdigit() else None
    if event is None:
        return None
    return f"{kind_words(operation.kind)} “{event.title}” of the calendar {event.calendar.name}"
