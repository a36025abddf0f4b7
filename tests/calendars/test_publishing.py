"""Saving, publishing and cancelling events: validation on the fields, SEQUENCE, and the Exchange
write committed with the change (and run by the worker against the dev tenant)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.calendars.models import Calendar
from app.calendars.services import EventInput, EventInvalid, cancel_event, publish_event, save_event
from app.extensions import db
from app.jobs.models import GraphOperation
from tests.calendars.conftest import MAILBOX, calendar_publisher
from tests.jobs.helpers import drain


def _input(**fields) -> EventInput:
    values = {"title": "Council meeting", "start_date": "2026-12-08", "start_time": "18:00", "end_time": "20:00",
              "location": "Council Chambers"}
    values.update(fields)
    return EventInput(**values)


def _operations() -> list[GraphOperation]:
    return list(db.session.scalars(select(GraphOperation).order_by(GraphOperation.id)))


def test_bad_input_is_refused_on_its_fields_and_writes_nothing(app, meetings):
    editor = calendar_publisher()
    with pytest.raises(EventInvalid) as refused:
        save_event(meetings, None, _input(title="", end_time="17:00", rrule="FREQ=SOMETIMES",
                                          image_url="https://example.org/a.jpg"), editor)
    assert set(refused.value.errors) == {"title", "end_time", "rrule", "image_alt"}
    with pytest.raises(EventInvalid) as refused:
        save_event(meetings, None, _input(all_day=True, start_date="2026-12-08", end_date="2026-12-07",
                                          facility_id="999"), editor)
    assert set(refused.value.errors) == {"end_date", "facility_id"}
    db.session.rollback()
    assert meetings.events == [] and _operations() == []


def test_a_draft_never_reaches_exchange_and_publishing_records_the_write_with_it(app, meetings):
    editor = calendar_publisher()
    event = save_event(meetings, None, _input(rrule="FREQ=MONTHLY;COUNT=6"), editor)
    assert event.status == "draft" and _operations() == []
    publish_event(event, editor)
    create = _operations()[0]
    assert (create.kind, create.target_id, create.payload["mailbox"]) == ("create_event", str(event.id), MAILBOX)
    assert create.payload["event"]["recurrence"]["range"]["numberOfOccurrences"] == 6
    # A series is sent at its local wall-clock time, so Exchange repeats it at 18:00 across DST changes.
    assert create.payload["event"]["start"] == {"dateTime": "2026-12-08T18:00:00", "timeZone": "America/Chicago"}


def test_a_calendar_without_an_exchange_address_writes_nothing_to_exchange(app, meetings):
    meetings.exchange_calendar_address = None
    db.session.commit()
    editor = calendar_publisher()
    publish_event(save_event(meetings, None, _input(), editor), editor)
    assert _operations() == []


def test_significant_changes_raise_the_sequence_and_published_edits_follow_to_exchange(app, meetings):
    editor = calendar_publisher()
    event = save_event(meetings, None, _input(), editor)
    publish_event(event, editor)
    save_event(meetings, event, _input(description="Agenda posted."), editor)
    assert event.sequence == 0  # a description is not significant
    save_event(meetings, event, _input(start_time="17:30"), editor)
    assert event.sequence == 1
    cancel_event(event, editor)
    assert event.sequence == 2 and event.status == "cancelled"
    assert [op.kind for op in _operations()] == ["create_event", "update_event", "update_event", "delete_event"]


def test_published_updated_and_cancelled_in_the_dev_tenant(app, meetings, tenant):
    editor = calendar_publisher()
    event = save_event(meetings, None, _input(title="Budget hearing"), editor)
    publish_event(event, editor)
    drain()
    assert event.exchange_event_id in {e["id"] for e in tenant.events(MAILBOX)}
    save_event(meetings, event, _input(title="Budget hearing (moved)", start_time="17:00"), editor)
    drain()
    written = {e["id"]: e for e in tenant.events(MAILBOX)}[event.exchange_event_id]
    assert written["subject"] == "Budget hearing (moved)"
    event_id = event.exchange_event_id
    cancel_event(event, editor)
    drain()
    assert event_id not in {e["id"] for e in tenant.events(MAILBOX)}


def test_editors_save_with_errors_on_their_fields_and_only_publishers_publish(app, meetings):
    from tests.factories import csrf_headers, staff_client

    editor, _ = staff_client(app, "calendars.editor", name="Cal Editor")
    form = {"title": "", "start_date": "2026-12-08", "start_time": "18:00", "end_time": "17:00"}
    refused = editor.post(f"/staff/calendars/{meetings.id}/events/new", data=form, headers=csrf_headers(editor))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="error-title"' in html and 'id="error-end_time"' in html
    assert 'aria-invalid="true"' in html and meetings.events == []
    good = {**form, "title": "Council", "end_time": "20:00"}
    saved = editor.post(f"/staff/calendars/{meetings.id}/events/new", data=good, headers=csrf_headers(editor))
    assert saved.status_code == 303
    event = db.session.scalars(select(Calendar)).one().events[0]
    publish = f"/staff/calendars/events/{event.id}/publish"
    assert editor.post(publish, headers=csrf_headers(editor)).status_code == 403
    publisher, _ = staff_client(app, "calendars.publisher", name="Cal Publisher")
    assert publisher.post(publish, headers=csrf_headers(publisher)).status_code == 303
    db.session.refresh(event)
    assert event.status == "published" and [op.kind for op in _operations()] == ["create_event"]


@pytest.mark.browser
def test_the_event_editor_with_errors_is_axe_clean(app, meetings, live_server, page):
    from tests.browser_plugin import axe_violations, describe
    from tests.factories import sign_in_browser

    publisher = calendar_publisher()
    sign_in_browser(app, page, live_server.url, publisher)
    page.goto(f"{live_server.url}/staff/calendars/{meetings.id}/events/new")
    page.click("button:has-text('Save')")
    page.locator("#error-summary").wait_for()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
