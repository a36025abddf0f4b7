"""Bounded work per request (issue 18): public events repeat at most daily, and a rule stored before
that (FREQ=MINUTELY) is expanded no further than the cap on pages and feeds."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.calendars import queries, repeat_limits
from app.calendars.models import CalendarEvent
from app.extensions import db
from tests.factories import csrf_headers, staff_client

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize("rule", ["FREQ=MINUTELY", "FREQ=HOURLY;COUNT=5", "FREQ=SECONDLY;INTERVAL=30",
                                  "FREQ=DAILY;BYHOUR=1,2,3", "FREQ=WEEKLY;BYMINUTE=0,30"])
def test_staff_cannot_save_an_event_that_repeats_more_than_daily(app, meetings, rule):
    editor, _ = staff_client(app, "calendars.editor")
    start = datetime.now(CHICAGO).date() + timedelta(days=1)
    response = editor.post(f"/staff/calendars/{meetings.id}/events/new", headers=csrf_headers(editor), data={
        "title": "Too often", "start_date": start.isoformat(), "start_time": "10:00", "end_time": "10:05",
        "rrule": rule})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Events repeat daily, weekly, monthly or yearly" in page or "leave BYHOUR, BYMINUTE and BYSECOND out" in page
    assert db.session.scalar(select(func.count()).select_from(CalendarEvent)) == 0


def _stored_minutely_event(meetings, **fields) -> CalendarEvent:
    """As a rule saved before the limit (or written straight to the database) would be."""
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=5)
    event = CalendarEvent(calendar=meetings, uid="every-minute@test", title="Every minute", time_zone="America/Chicago",
                          start_at=start, end_at=start + timedelta(minutes=1), rrule="FREQ=MINUTELY",
                          status="published", **fields)
    db.session.add(event)
    db.session.commit()
    return event


def test_a_stored_minutely_rule_is_expanded_no_further_than_the_cap(app, client, meetings, monkeypatch):
    event = _stored_minutely_event(meetings)
    today = datetime.now(CHICAGO).date()
    assert len(queries.occurrences([event], CHICAGO, today, today + timedelta(days=366))) <= repeat_limits.MAX_EXPANDED
    monkeypatch.setattr(repeat_limits, "MAX_EXPANDED", 200)
    page = client.get("/calendars/city-meetings/?from=" + today.isoformat())
    assert page.status_code == 200 and 100 < page.get_data(as_text=True).count("Every minute") <= 200
    feed = client.get(f"/calendars/city-meetings.ics?from={today}&to={today + timedelta(days=300)}")
    assert feed.status_code == 200 and b"RRULE:FREQ=MINUTELY" in feed.get_data()


def test_a_cancelled_rule_with_a_huge_count_does_not_stall_the_feed(app, client, meetings, monkeypatch):
    _stored_minutely_event(meetings)
    db.session.execute(CalendarEvent.__table__.update().values(status="cancelled", rrule="FREQ=MINUTELY;COUNT=1000000000"))
    db.session.commit()
    monkeypatch.setattr(repeat_limits, "MAX_EXPANDED", 200)
    feed = client.get("/calendars/city-meetings.ics")
    assert feed.status_code == 200  # the last occurrence was looked for among 200 starts, not a billion
