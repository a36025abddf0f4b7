"""The editor's repeat builder (issue 20, point 1): rules chosen in words, the dates they make equal
to what recurring-ical-events and ical.js expand from the published feed, UNTIL in UTC, the first
date one of the rule's own, and the next dates shown before saving (with and without htmx)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.calendars.models import Calendar, CalendarEvent
from app.calendars.recurrence_form import next_dates
from app.extensions import db
from tests.calendars.feed_parsers import icaljs_occurrences, occurrence_key, recurring_ical_events_occurrences
from tests.factories import csrf_headers, staff_client

CHICAGO = ZoneInfo("America/Chicago")
WINDOW = (datetime(2027, 1, 1, tzinfo=timezone.utc), datetime(2029, 1, 1, tzinfo=timezone.utc))
# (title, start, form fields, the rule stored)
RULES = [
    ("Book club", "2027-03-09", {"repeat_freq": "weekly", "repeat_days": ["TU", "TH"], "repeat_interval": "2",
                                 "repeat_ends": "after", "repeat_count": "7"},
     "FREQ=WEEKLY;COUNT=7;INTERVAL=2;BYDAY=TU,TH"),
    ("Council", "2027-03-09", {"repeat_freq": "monthly", "repeat_monthly_by": "weekday", "repeat_ends": "on",
                               "repeat_until": "2027-11-30"},
     "FREQ=MONTHLY;UNTIL=20271201T055959Z;BYDAY=2TU"),  # the end of Nov 30 in Chicago, in UTC
    ("Rent day", "2027-01-31", {"repeat_freq": "monthly", "repeat_ends": "after", "repeat_count": "6"},
     "FREQ=MONTHLY;COUNT=6;BYMONTHDAY=31"),
    ("Walk", "2027-03-12", {"repeat_freq": "daily", "repeat_interval": "3", "repeat_ends": "on",
                            "repeat_until": "2027-04-02"},
     "FREQ=DAILY;UNTIL=20270403T045959Z;INTERVAL=3"),  # across the March 14 change to daylight time
    ("Founders day", "2027-02-14", {"repeat_freq": "yearly", "repeat_ends": "after", "repeat_count": "2"},
     "FREQ=YEARLY;COUNT=2;BYMONTHDAY=14;BYMONTH=2"),
]


@pytest.fixture
def library(app) -> Calendar:
    calendar = Calendar(name="Library", slug="library", time_zone="America/Chicago")
    db.session.add(calendar)
    db.session.commit()
    return calendar


def _form(title: str, start: str, **fields) -> dict:
    return {"title": title, "start_date": start, "start_time": "18:00", "end_time": "19:30", **fields}


def test_the_builder_dates_are_what_recurring_ical_events_and_icaljs_read_from_the_feed(app, library):
    editor, _ = staff_client(app, "calendars.editor", "calendars.publisher")
    expected = set()
    for title, start, fields, rule in RULES:
        saved = editor.post(f"/staff/calendars/{library.id}/events/new", data=_form(title, start, **fields),
                            headers=csrf_headers(editor))
        assert saved.status_code == 303, (title, re.findall(r'class="usa-error-message"[^>]*>([^<]+)', saved.get_data(as_text=True)))
        event = db.session.scalars(select(CalendarEvent).where(CalendarEvent.title == title)).one()
        assert event.rrule == rule
        editor.post(f"/staff/calendars/events/{event.id}/publish", headers=csrf_headers(editor))
        starts = next_dates(rule, event.start_at.astimezone(CHICAGO).replace(tzinfo=None), CHICAGO, 100)
        expected |= {occurrence_key(event.uid, "CONFIRMED", s.replace(tzinfo=CHICAGO),
                                    s.replace(tzinfo=CHICAGO) + timedelta(minutes=90)) for s in starts}
    assert len(expected) == 7 + 9 + 6 + 8 + 2  # 2nd Tuesdays March to November; every 3rd day to April 2

    body = app.test_client().get("/calendars/library.ics").get_data()
    assert recurring_ical_events_occurrences(body, WINDOW) == expected
    assert icaljs_occurrences(body, WINDOW) == expected
    rent = {datetime.fromisoformat(o[2]).astimezone(CHICAGO).date().isoformat() for o in expected
            if o[0] == _uid_of("Rent day")}
    assert rent == {"2027-01-31", "2027-03-31", "2027-05-31", "2027-07-31", "2027-08-31", "2027-10-31"}  # 31sts only

    page = editor.get(f"/staff/calendars/events/{_id_of('Council')}").get_data(as_text=True)
    assert "Every month on the second Tuesday, until Tuesday, November 30, 2027. Next dates:" in page
    assert 'value="weekday" checked' in page and 'name="repeat_until" type="date" value="2027-11-30"' in page


def _uid_of(title: str) -> str:
    return db.session.scalars(select(CalendarEvent.uid).where(CalendarEvent.title == title)).one()


def _id_of(title: str) -> int:
    return db.session.scalars(select(CalendarEvent.id).where(CalendarEvent.title == title)).one()


def test_a_series_starting_on_a_day_its_rule_excludes_is_refused_and_the_first_date_offered(app, library):
    """The demo council meeting started on a Wednesday with a "1st and 3rd Tuesday" rule: ical.js
    dropped that Wednesday, python parsers kept it."""
    editor, _ = staff_client(app, "calendars.editor")
    council = _form("City Council", "2027-03-10", rrule="FREQ=MONTHLY;BYDAY=1TU,3TU;COUNT=12")
    refused = editor.post(f"/staff/calendars/{library.id}/events/new", data=council, headers=csrf_headers(editor))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and db.session.scalars(select(CalendarEvent)).all() == []
    assert ("Wednesday, March 10, 2027 is not one of the dates this repeat makes; its first date is "
            "Tuesday, March 16, 2027.") in html
    assert 'id="error-start_date"' in html and 'aria-invalid="true"' in html
    assert 'name="use_first_date" value="2027-03-16"' in html

    moved = editor.post(f"/staff/calendars/{library.id}/events/new", data={**council, "use_first_date": "2027-03-16"},
                        headers=csrf_headers(editor)).get_data(as_text=True)
    assert 'name="start_date" type="date" value="2027-03-16"' in moved and "error-start_date" not in moved
    assert db.session.scalars(select(CalendarEvent)).all() == []  # shown to check, not saved
    fixed = {**council, "start_date": "2027-03-16", "end_date": "2027-03-16", "repeat_freq": "custom"}
    assert editor.post(f"/staff/calendars/{library.id}/events/new", data=fixed,
                       headers=csrf_headers(editor)).status_code == 303

    weekly = _form("Chess", "2027-03-10", repeat_freq="weekly", repeat_days=["TU"])
    refused = editor.post(f"/staff/calendars/{library.id}/events/new", data=weekly, headers=csrf_headers(editor))
    assert refused.status_code == 422 and "its first date is Tuesday, March 16, 2027" in refused.get_data(as_text=True)


def test_the_next_dates_show_before_saving_without_javascript_and_as_an_htmx_fragment(app, library):
    editor, _ = staff_client(app, "calendars.editor")
    form = _form("Yoga", "2027-03-09", repeat_freq="weekly", repeat_days=["TU", "SA"], repeat_ends="after",
                 repeat_count="3")
    shown = editor.post(f"/staff/calendars/{library.id}/events/new", data={**form, "preview": "1"},
                        headers=csrf_headers(editor))
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and db.session.scalars(select(CalendarEvent)).all() == []
    assert "Every week on Tuesday and Saturday, 3 times. Next dates:" in html
    assert re.findall(r"<li>([^<]+ at 6:00 PM)</li>", html) == [
        "Tuesday, March 9, 2027 at 6:00 PM", "Saturday, March 13, 2027 at 6:00 PM", "Tuesday, March 16, 2027 at 6:00 PM"]

    fragment = editor.post("/staff/calendars/repeat-preview", data={**form, "calendar_id": library.id},
                           headers={**csrf_headers(editor), "HX-Request": "true"}).get_data(as_text=True)
    assert fragment.startswith('<div id="repeat-preview" role="status">') and "Saturday, March 13, 2027" in fragment
    bad = editor.post("/staff/calendars/repeat-preview", data={**form, "repeat_count": "0", "calendar_id": library.id},
                      headers=csrf_headers(editor)).get_data(as_text=True)
    assert "a whole number from 1 to 500" in bad


def test_a_rule_from_outlook_the_builder_cannot_show_is_kept_and_said_in_words(app, library):
    editor, _ = staff_client(app, "calendars.editor")
    event = CalendarEvent(calendar=library, uid="last-tuesday@test", title="Board meeting", time_zone="America/Chicago",
                          start_at=datetime(2027, 3, 30, 18, tzinfo=CHICAGO), end_at=datetime(2027, 3, 30, 19, tzinfo=CHICAGO),
                          rrule="FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1;COUNT=5", source="outlook")
    db.session.add(event)
    db.session.commit()
    page = editor.get(f"/staff/calendars/events/{event.id}").get_data(as_text=True)
    assert '<option value="custom" selected>As set in Outlook: Every month on the last Tuesday, 5 times</option>' in page
    form = dict(re.findall(r'(?:id="field-\w+" |type="hidden" )name="(title|start_date|start_time|end_date|end_time|rrule)"'
                           r'[^>]*value="([^"]*)"', page))
    saved = editor.post(f"/staff/calendars/events/{event.id}", data={**form, "repeat_freq": "custom"},
                        headers=csrf_headers(editor))
    assert saved.status_code == 303, re.findall(r'class="usa-error-message"[^>]*>([^<]+)', saved.get_data(as_text=True))
    db.session.expire_all()
    assert event.rrule == "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1;COUNT=5"


def test_the_public_event_page_and_the_staff_list_say_how_a_series_repeats(app, library):
    event = CalendarEvent(calendar=library, uid="council@test", title="City Council", time_zone="America/Chicago",
                          start_at=datetime(2027, 3, 2, 19, tzinfo=CHICAGO), end_at=datetime(2027, 3, 2, 21, tzinfo=CHICAGO),
                          rrule="FREQ=MONTHLY;BYDAY=1TU,3TU;UNTIL=20271201T055959Z", status="published")
    db.session.add(event)
    db.session.commit()
    page = app.test_client().get("/calendars/library/events/council@test").get_data(as_text=True)
    assert "<dt>Repeats</dt><dd>Every month on the first and third Tuesday, until Tuesday, November 30, 2027</dd>" in page
    editor, _ = staff_client(app, "calendars.editor")
    assert " · Every month on the first and third Tuesday, until" in editor.get("/staff/calendars/").get_data(as_text=True)


def test_an_editors_repeat_change_to_a_published_series_waits_and_a_publisher_applies_it(app, library):
    from app.calendars.models import CalendarEventRevision

    editor, _ = staff_client(app, "calendars.editor", name="Cal Editor")
    publisher, _ = staff_client(app, "calendars.editor", "calendars.publisher", name="Pat Publisher")
    publisher.post(f"/staff/calendars/{library.id}/events/new", headers=csrf_headers(publisher),
                   data=_form("Yoga", "2027-03-09", repeat_freq="weekly", repeat_days=["TU"]))
    event = db.session.scalars(select(CalendarEvent)).one()
    publisher.post(f"/staff/calendars/events/{event.id}/publish", headers=csrf_headers(publisher))
    editor.post(f"/staff/calendars/events/{event.id}", headers=csrf_headers(editor),
                data=_form("Yoga", "2027-03-09", repeat_freq="weekly", repeat_days=["TU", "TH"], repeat_ends="after",
                           repeat_count="6"))
    db.session.expire_all()
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TU"  # unchanged until a publisher applies it
    revision = db.session.scalars(select(CalendarEventRevision)).one()
    waiting = publisher.get("/staff/calendars/revisions/").get_data(as_text=True)
    assert "Every week on Tuesday and Thursday, 6 times" in waiting and "FREQ=" not in waiting
    assert publisher.post(f"/staff/calendars/revisions/{revision.id}/apply",
                          headers=csrf_headers(publisher)).status_code == 303
    db.session.expire_all()
    assert event.rrule == "FREQ=WEEKLY;COUNT=6;BYDAY=TU,TH"
