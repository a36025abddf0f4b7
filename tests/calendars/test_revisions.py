"""A published event changes only by a publisher's hand: an editor's change waits as a revision."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.access.models import AuditEntry
from app.calendars.models import CalendarEvent, CalendarEventRevision
from app.extensions import db
from app.jobs.models import GraphOperation
from tests.factories import csrf_headers, staff_client

CHICAGO = ZoneInfo("America/Chicago")


def _form(**changes: str) -> dict[str, str]:
    day = (datetime.now(CHICAGO).date() + timedelta(days=5)).isoformat()
    return {"title": "Council meeting", "start_date": day, "end_date": day, "start_time": "18:00",
            "end_time": "20:00", "location": "Council Chambers", "rrule": "FREQ=WEEKLY;COUNT=3", **changes}


def _published(app, meetings) -> CalendarEvent:
    publisher, _ = staff_client(app, "calendars.publisher", name="Pat Publisher")
    publisher.post(f"/staff/calendars/{meetings.id}/events/new", data=_form(), headers=csrf_headers(publisher))
    event = db.session.scalars(select(CalendarEvent)).one()
    publisher.post(f"/staff/calendars/events/{event.id}/publish", headers=csrf_headers(publisher))
    db.session.refresh(event)
    assert event.status == "published"
    return event


def test_an_editors_change_to_a_published_event_waits_until_a_publisher_applies_it(app, meetings):
    event = _published(app, meetings)
    writes = db.session.scalar(select(db.func.count()).select_from(GraphOperation))
    editor, _ = staff_client(app, "calendars.editor", name="Eddie Editor")
    proposed = editor.post(f"/staff/calendars/events/{event.id}", headers=csrf_headers(editor),
                           data=_form(title="Council meeting (moved)", start_time="17:00"))
    assert proposed.status_code == 303
    assert "waits for a calendar publisher" in editor.get(proposed.headers["Location"]).get_data(as_text=True)
    db.session.refresh(event)
    assert event.title == "Council meeting" and event.start_at.astimezone(CHICAGO).hour == 18  # unchanged
    assert db.session.scalar(select(db.func.count()).select_from(GraphOperation)) == writes  # nothing to Exchange
    assert "Council meeting (moved)" not in app.test_client().get("/calendars/city-meetings/").get_data(as_text=True)
    key = event.start_at.astimezone(CHICAGO).replace(tzinfo=None).isoformat()
    skip = editor.post(f"/staff/calendars/events/{event.id}/occurrences/skip", data={"original": key},
                       headers=csrf_headers(editor))
    assert skip.status_code == 422 and "only a calendar publisher can skip or move" in skip.get_data(as_text=True)
    assert editor.get("/staff/calendars/revisions/").status_code == 403

    publisher, _ = staff_client(app, "calendars.publisher", name="Pia Publisher")
    listing = publisher.get("/staff/calendars/").get_data(as_text=True)
    assert "Changes waiting for a publisher (1)" in listing
    screen = publisher.get("/staff/calendars/revisions/").get_data(as_text=True)
    assert "Proposed by Eddie Editor" in screen
    assert "<th scope=\"row\">Title</th><td>Council meeting</td><td>Council meeting (moved)</td>" in screen
    assert "at 6:00 PM</td><td>" in screen and "at 5:00 PM</td>" in screen and "None" not in screen
    revision = db.session.scalars(select(CalendarEventRevision)).one()
    applied = publisher.post(f"/staff/calendars/revisions/{revision.id}/apply", headers=csrf_headers(publisher))
    assert applied.status_code == 303
    db.session.refresh(event)
    db.session.refresh(revision)
    assert event.title == "Council meeting (moved)" and event.start_at.astimezone(CHICAGO).hour == 17
    assert revision.status == "applied"
    last = db.session.scalars(select(GraphOperation).order_by(GraphOperation.id.desc())).first()
    assert last.kind == "update_event" and last.payload["event"]["subject"] == "Council meeting (moved)"
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "calendar_event")).all()
    assert actions[-3:] == ["calendar_event.propose", "calendar_event.apply_revision", "calendar_event.save"]
    assert "No change is waiting." in publisher.get("/staff/calendars/revisions/").get_data(as_text=True)


def test_a_publisher_discards_a_change_and_editors_still_edit_drafts_directly(app, meetings):
    event = _published(app, meetings)
    editor, _ = staff_client(app, "calendars.editor", name="Eddie Editor")
    editor.post(f"/staff/calendars/events/{event.id}", headers=csrf_headers(editor), data=_form(title="Typo"))
    publisher, _ = staff_client(app, "calendars.publisher", name="Pia Publisher")
    revision = db.session.scalars(select(CalendarEventRevision)).one()
    assert publisher.post(f"/staff/calendars/revisions/{revision.id}/discard",
                          headers=csrf_headers(publisher)).status_code == 303
    db.session.refresh(event)
    db.session.refresh(revision)
    assert event.title == "Council meeting" and revision.status == "discarded"

    editor.post(f"/staff/calendars/{meetings.id}/events/new", data=_form(title="Draft"), headers=csrf_headers(editor))
    draft = db.session.scalars(select(CalendarEvent).where(CalendarEvent.title == "Draft")).one()
    assert editor.post(f"/staff/calendars/events/{draft.id}", data=_form(title="Draft, renamed"),
                       headers=csrf_headers(editor)).status_code == 303
    db.session.refresh(draft)
    assert draft.title == "Draft, renamed" and draft.status == "draft"


def test_an_editor_coming_back_sees_their_waiting_change_so_a_second_save_does_not_lose_the_first(app, meetings):
    event = _published(app, meetings)
    editor, _ = staff_client(app, "calendars.editor", name="Eddie Editor")
    editor.post(f"/staff/calendars/events/{event.id}", headers=csrf_headers(editor),
                data=_form(title="Council meeting (moved)"))

    page = editor.get(f"/staff/calendars/events/{event.id}").get_data(as_text=True)

    assert 'value="Council meeting (moved)"' in page  # the form holds their change, not the live title
    assert "Your change waits for a calendar publisher" in page
    # A second change on top (the location) keeps the first (the title) in what the publisher sees.
    editor.post(f"/staff/calendars/events/{event.id}", headers=csrf_headers(editor),
                data=_form(title="Council meeting (moved)", location="Annex"))
    waiting = db.session.scalars(select(CalendarEventRevision).where(CalendarEventRevision.status == "pending")).one()
    assert waiting.proposed["title"] == "Council meeting (moved)" and waiting.proposed["location"] == "Annex"

    publisher, _ = staff_client(app, "calendars.publisher", name="Pia Publisher")
    seen = publisher.get(f"/staff/calendars/events/{event.id}").get_data(as_text=True)
    assert 'value="Council meeting"' in seen  # a publisher edits the event as it is
    assert "A change by Eddie Editor waits for a publisher" in seen and "/staff/calendars/revisions/" in seen


def test_a_publisher_sees_in_the_menu_that_changes_wait_and_an_editor_does_not(app, meetings):
    event = _published(app, meetings)
    editor, _ = staff_client(app, "calendars.editor", name="Eddie Editor")
    editor.post(f"/staff/calendars/events/{event.id}", headers=csrf_headers(editor), data=_form(title="Typo"))

    publisher, _ = staff_client(app, "calendars.publisher", name="Pia Publisher")
    assert ">Calendars (1 to review)</a>" in publisher.get("/staff/").get_data(as_text=True)
    assert "to review)" not in editor.get("/staff/").get_data(as_text=True)
