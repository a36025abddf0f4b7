"""Reviewing and applying an Outlook change to a published event, field by field (issue 20).

Staff work on the website is never overwritten without a choice: the facility, image and registration
page are MyGov's alone and never read from Outlook; the description and category are MyGov's public
text, offered from Outlook but kept unless staff take Outlook's; any other field staff edited on the
website since it was last taken from Outlook is kept by default too. What Outlook had when staff last
took or kept a field is the event's `outlook_snapshot`: a field counts as changed in Outlook only when
Outlook's value differs from it, so a version staff kept stays kept until Outlook changes it again.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.access.services import audit
from app.calendars import services
from app.calendars.categories import first_known
from app.calendars.models import CalendarEvent
from app.calendars.outlook_mapping import MappedEvent, is_gone, mapped_event
from app.calendars.outlook_series import (
    DateChange,
    describe_all,
    outlook_date_changes,
    replace_date_changes,
    website_date_changes,
)
from app.calendars.recurrence_words import describe_rule
from app.graph.calendar import get_event
from app.microsoft import graph_client
from app.people.models import Employee

# (name, label): one decision each; the time zone goes with the times.
FIELDS = [("title", "Title"), ("description", "Description"), ("when", "When"), ("location", "Place"),
          ("category", "Category"), ("rrule", "Repeats"), ("dates", "Changed or cancelled dates")]
# The website's own public text: Outlook's version is offered, never taken by default.
WEBSITE_OWNED = frozenset({"description", "category"})
WHEN_PARTS = ("all_day", "start_date", "start_time", "end_date", "end_time")


class ChangeRefused(ValueError):
    pass


@dataclass(frozen=True)
class DiffRow:
    name: str
    label: str
    website: str
    outlook: str
    last_taken: str | None  # Outlook's value when staff last took or kept this field; None before

    @property
    def changed(self) -> bool:
        return self.website != self.outlook

    @property
    def changed_in_outlook(self) -> bool:
        return self.changed and (self.last_taken is None or self.outlook != self.last_taken)

    @property
    def edited_on_website(self) -> bool:
        return self.last_taken is not None and self.website != self.last_taken

    @property
    def take_by_default(self) -> bool:
        return (self.changed_in_outlook and not self.edited_on_website and self.name not in WEBSITE_OWNED)


@dataclass
class ChangeReview:
    event: CalendarEvent
    outlook_event: dict[str, Any] | None
    rows: list[DiffRow]
    mapped: MappedEvent | None = None
    dates: list[DateChange] = field(default_factory=list)

    @property
    def deleted_in_outlook(self) -> bool:
        return self.outlook_event is None


def snapshot_of(mapped: MappedEvent, dates: list[DateChange]) -> dict[str, str]:
    """Outlook's fields as the review shows them: stored when staff take or keep them."""
    return shown(mapped.data, mapped.time_zone, dates)


def review_change(event: CalendarEvent) -> ChangeReview:
    """The website's event beside what Outlook has now, field by field."""
    if event.outlook_source is None or not event.outlook_event_id:
        raise ValueError("this event was not published from Outlook")
    outlook_event = get_event(graph_client(), event.outlook_source.mailbox, event.outlook_event_id)
    if is_gone(outlook_event):
        return ChangeReview(event, None, [])
    mapped = mapped_event(outlook_event, event.calendar.time_zone)
    mapped.data.category = first_known(event.calendar, outlook_event.get("categories"))
    dates = outlook_date_changes(graph_client(), event.outlook_source, outlook_event, mapped)
    website = shown(website_input(event), event.time_zone, website_date_changes(event))
    outlook = snapshot_of(mapped, dates)
    last = event.outlook_snapshot or {}
    rows = [DiffRow(name, label, website[name], outlook[name], last.get(name)) for name, label in FIELDS]
    return ChangeReview(event, outlook_event, rows, mapped, dates)


def apply_change(event: CalendarEvent, choices: Mapping[str, str], actor: Employee) -> CalendarEvent:
    """Take Outlook's version of the fields chosen ("outlook"), keep the website's of the others
    ("website"); a field not chosen either way follows DiffRow.take_by_default."""
    review = review_change(event)
    if review.outlook_event is None or review.mapped is None:
        raise ChangeRefused("This event was deleted in Outlook; there is no change to apply.")
    mapped, data = review.mapped, website_input(event)
    taken = [row.name for row in review.rows if row.changed and choices.get(row.name, "outlook" if row.take_by_default
                                                                              else "website") == "outlook"]
    for name in taken:
        for part in WHEN_PARTS if name == "when" else () if name == "dates" else (name,):
            setattr(data, part, getattr(mapped.data, part))
    before = {"outlook_change_key": event.outlook_change_key, "time_zone": event.time_zone}
    if "when" in taken:
        event.time_zone = mapped.time_zone
    if "dates" in taken and replace_date_changes(event, review.dates):
        event.sequence += 1  # moved or cancelled dates are significant; save_event does not see overrides
    event.outlook_change_key, event.outlook_snapshot = mapped.change_key, snapshot_of(mapped, review.dates)
    event.outlook_pending = None
    kept = [row.name for row in review.rows if row.changed and row.name not in taken]
    audit(actor, "calendar_event.apply_outlook_change", "calendar_event", event.id, before,
          {"outlook_change_key": mapped.change_key, "time_zone": event.time_zone, "taken": taken, "kept": kept})
    return services.save_event(event.calendar, event, data, actor)  # commits the audit entry with it


def website_input(event: CalendarEvent) -> services.EventInput:
    """The event as the editor would submit it unchanged: Outlook's fields and MyGov's own."""
    data = services.EventInput(
        title=event.title, description=event.description, all_day=event.all_day, rrule=event.rrule or "",
        location=event.location, category=event.category or "",
        facility_id=str(event.facility_id or ""), image_url=event.image_url or "", image_alt=event.image_alt or "",
        registration_url=event.registration_url or "")
    if event.all_day:
        data.start_date = event.start_date.isoformat()
        data.end_date = (event.end_date - timedelta(days=1)).isoformat()
    else:
        zone = ZoneInfo(event.time_zone)
        start, end = event.start_at.astimezone(zone), event.end_at.astimezone(zone)
        data.start_date, data.start_time = start.date().isoformat(), start.strftime("%H:%M")
        data.end_date, data.end_time = end.date().isoformat(), end.strftime("%H:%M")
    return data


def shown(data: services.EventInput, time_zone: str, dates: list[DateChange]) -> dict[str, str]:
    if data.all_day:
        when = data.start_date if data.end_date in ("", data.start_date) else f"{data.start_date} to {data.end_date}"
        when += " (all day)"
    else:
        when = f"{data.start_date} {data.start_time} to {data.end_date} {data.end_time} ({time_zone})"
    return {"title": data.title, "description": data.description, "when": when,
            "location": data.location, "category": data.category,
            "rrule": describe_rule(data.rrule, data.start_date, ZoneInfo(time_zone)) if data.rrule else "Does not repeat",
            "dates": describe_all(dates, time_zone)}
