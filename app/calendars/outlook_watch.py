"""The server job that notices Outlook changes to published events, so publishers need not open
each source's list: a changed or deleted event is marked (`outlook_pending`, counted in the staff
navigation) and the calendar publishers get one email per change found (issue 20, point 5).

Reading Outlook still never changes the website's event itself; only staff apply a change."""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.access.models import RoleAssignment
from app.calendars.models import CalendarEvent
from app.calendars.outlook_mapping import is_gone
from app.extensions import db
from app.graph.calendar import get_event
from app.graph.errors import GraphError
from app.mail.services import send_template
from app.microsoft import graph_client
from app.people.models import Employee

GONE = ("cancelled", "deleted")  # nothing left on the website to review


def check_published_events(outlook_event_ids: list[str] | None = None) -> dict[str, Any]:
    """Compare every live event published from Outlook (or only those Outlook ids, when a change
    notification named them: app/subscriptions) with Outlook's version now; one commit."""
    graph, found, unreadable = graph_client(), [], 0
    query = select(CalendarEvent).where(CalendarEvent.outlook_source_id.is_not(None), CalendarEvent.status.not_in(GONE))
    if outlook_event_ids is not None:
        query = query.where(CalendarEvent.outlook_event_id.in_(outlook_event_ids))
    events = db.session.scalars(query.order_by(CalendarEvent.id))
    for event in events:
        try:
            outlook_event = get_event(graph, event.outlook_source.mailbox, event.outlook_event_id or "")
        except GraphError:
            unreadable += 1  # tried again on the next run; nothing is marked from a failed read
            continue
        state, key = _state(event, outlook_event)
        event.outlook_pending = state
        if state and event.outlook_notified_key != key:
            event.outlook_notified_key = key
            found.append((event, state))
    if found:
        _tell_publishers(found)
    db.session.commit()
    return {"changed": sum(1 for _, s in found if s == "changed"), "deleted": sum(1 for _, s in found if s == "deleted"),
            "unreadable": unreadable, "waiting": waiting_count()}


def _state(event: CalendarEvent, outlook_event: dict[str, Any] | None) -> tuple[str | None, str]:
    if is_gone(outlook_event):
        return "deleted", "deleted"
    key = str(outlook_event.get("changeKey") or "")
    return ("changed" if key != event.outlook_change_key else None), key


def waiting_count() -> int:
    """Published events whose Outlook change or deletion waits for a publisher (the staff navigation count)."""
    return db.session.scalar(select(func.count()).select_from(CalendarEvent).where(
        CalendarEvent.outlook_pending.is_not(None), CalendarEvent.status.not_in(GONE))) or 0


def publishers() -> list[Employee]:
    return list(db.session.scalars(
        select(Employee).join(RoleAssignment, RoleAssignment.employee_id == Employee.id).where(
            RoleAssignment.module_key == "calendars", RoleAssignment.role_key == "publisher",
            Employee.account_enabled.is_(True), Employee.mail.is_not(None)).distinct().order_by(Employee.id)))


def _tell_publishers(found: list[tuple[CalendarEvent, str]]) -> None:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    items = [{"title": event.title, "calendar": event.calendar.name,
              "what": "deleted in Outlook" if state == "deleted" else "changed in Outlook",
              "link": f"{base}/staff/outlook/events/{event.id}/changes"} for event, state in found]
    for person in publishers():
        send_template("outlook_changes", recipient=person.mail or "", recipient_name=person.display_name,
                      context={"name": person.display_name, "items": items},
                      related_type="employee", related_id=person.id)
