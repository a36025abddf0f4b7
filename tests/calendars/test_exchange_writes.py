"""The Exchange side of publishing, against the dev tenant: series across DST, keys that name the
change, updates that wait for their create, and an event published again after a cancel."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.access.models import AuditEntry
from app.calendars.models import Calendar
from app.calendars.services import cancel_event, publish_event, save_event
from app.extensions import db
from app.graph import calendar as graph_calendar
from app.jobs.models import GraphOperation
from app.microsoft import graph_client
from tests.calendars.conftest import MAILBOX, calendar_publisher
from tests.calendars.test_publishing import _input
from tests.jobs.helpers import drain

CHICAGO = ZoneInfo("America/Chicago")




def _published_weekly_series(meetings):
    """Council meetings on four Tuesdays: US daylight time ends on Sunday November 1, 2026, between the second and third."""
    editor = calendar_publisher()
    event = save_event(meetings, None, _input(start_date="2026-10-20", start_time="18:00", end_time="19:30",
                                              rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=4"), editor)
    publish_event(event, editor)
    drain()
    return event, editor


def _operations() -> list[GraphOperation]:
    return list(db.session.scalars(select(GraphOperation).order_by(GraphOperation.id)))


def test_a_weekly_series_stays_at_its_local_time_in_exchange_across_the_dst_change(app, meetings, tenant):
    _published_weekly_series(meetings)
    instances = list(graph_calendar.calendar_view(graph_client(), MAILBOX, datetime(2026, 10, 1, tzinfo=timezone.utc),
                                                  datetime(2026, 12, 1, tzinfo=timezone.utc)))
    starts = sorted(datetime.fromisoformat(i["start"]["dateTime"].split(".")[0]).replace(tzinfo=timezone.utc)
                    for i in instances if i["subject"] == "Council meeting")
    assert [s.astimezone(CHICAGO).strftime("%m-%d %H:%M") for s in starts] == [
        "10-20 18:00", "10-27 18:00", "11-03 18:00", "11-10 18:00"]


def test_each_change_has_its_own_key_named_after_its_audit_entry(app, meetings):
    """Two edits at the same SEQUENCE (a description is not significant) must not share a key, and a
    key must be the same however often the row is retried: it names the change, nothing random."""
    editor = calendar_publisher()
    event = save_event(meetings, None, _input(), editor)
    publish_event(event, editor)
    save_event(meetings, event, _input(description="Agenda posted."), editor)
    save_event(meetings, event, _input(description="Agenda and minutes posted."), editor)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "calendar_event")
                                 .order_by(AuditEntry.id)).all()
    keys = [op.idempotency_key for op in _operations()]
    assert keys == [f"calendar-event-{event.id}-create_event-audit-{entries[1].id}",
                    f"calendar-event-{event.id}-update_event-audit-{entries[2].id}",
                    f"calendar-event-{event.id}-update_event-audit-{entries[3].id}"]


def test_an_update_recorded_before_its_create_ran_waits_for_it_and_applies(app, meetings, tenant):
    editor = calendar_publisher()
    event = save_event(meetings, None, _input(title="Budget hearing"), editor)
    publish_event(event, editor)
    save_event(meetings, event, _input(title="Budget hearing (moved)", start_time="17:00"), editor)  # create not run
    drain()
    written = [e for e in tenant.events(MAILBOX) if e["subject"].startswith("Budget hearing")]
    assert [e["subject"] for e in written] == ["Budget hearing (moved)"]
    assert [op.status for op in _operations()] == ["done", "done"]


def test_a_cancel_before_the_create_ran_leaves_no_event_in_exchange(app, meetings, tenant):
    editor = calendar_publisher()
    event = save_event(meetings, None, _input(title="Short-lived"), editor)
    publish_event(event, editor)
    cancel_event(event, editor)
    drain()
    assert not [e for e in tenant.events(MAILBOX) if e["subject"] == "Short-lived"]
    # Per the outbox rules the delete either superseded the create or waited for its event id.
    assert [op.status for op in _operations()] in (["superseded", "done"], ["done", "done"])


def test_an_event_published_again_after_a_cancel_is_back_in_exchange_and_takes_its_edits(app, meetings, tenant):
    editor = calendar_publisher()
    event = save_event(meetings, None, _input(title="Open house"), editor)
    publish_event(event, editor)
    drain()
    cancel_event(event, editor)
    drain()
    publish_event(event, editor)
    drain()
    save_event(meetings, event, _input(title="Open house (new date)", start_date="2026-12-15"), editor)
    drain()
    written = [e for e in tenant.events(MAILBOX) if e["subject"].startswith("Open house")]
    assert [e["subject"] for e in written] == ["Open house (new date)"]
    assert event.exchange_event_id == written[0]["id"]
    assert [op.status for op in _operations()] == ["done"] * 4


def test_skipped_moved_and_restored_dates_of_a_published_series_reach_exchange(app, meetings, tenant):
    from app.calendars.forms import MoveInput
    from app.calendars.services import move_occurrence, restore_occurrence, skip_occurrence

    event, editor = _published_weekly_series(meetings)

    def in_exchange() -> list[str]:
        items = graph_calendar.calendar_view(graph_client(), MAILBOX, datetime(2026, 10, 1, tzinfo=timezone.utc),
                                             datetime(2026, 12, 1, tzinfo=timezone.utc))
        return sorted(datetime.fromisoformat(i["start"]["dateTime"].split(".")[0]).replace(tzinfo=timezone.utc)
                      .astimezone(CHICAGO).strftime("%m-%d %H:%M") for i in items if i["subject"] == "Council meeting")

    skip_occurrence(event, "2026-10-27T18:00:00", editor)
    move_occurrence(event, MoveInput(original="2026-11-03T18:00:00", start_date="2026-11-04", start_time="17:00",
                                     end_time="18:00"), editor)
    drain()
    assert in_exchange() == ["10-20 18:00", "11-04 17:00", "11-10 18:00"]
    restore_occurrence(event, "2026-10-27T18:00:00", editor)
    drain()
    assert in_exchange() == ["10-20 18:00", "10-27 18:00", "11-04 17:00", "11-10 18:00"]
    last = _operations()[-1]
    assert last.status == "done" and last.result["occurrences_moved"] == 1
