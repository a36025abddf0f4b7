"""Input that once answered 500 (issue 18): each now gets a page that says what was wrong, and
nothing is written."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.calendars.models import Calendar, CalendarEvent, CalendarEventOverride
from app.demo.services import seed_demo
from app.extensions import db, limiter
from app.reservations.models import Reservation
from tests.factories import csrf_headers, staff_client

CHICAGO = ZoneInfo("America/Chicago")
EXTREME_DAYS = ("9999-12-31", "0001-01-01")


@pytest.fixture
def demo(app, devtenant_clean):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    limiter.reset()


@pytest.mark.parametrize("day", EXTREME_DAYS)
def test_extreme_dates_on_public_calendar_and_room_pages_get_a_page_not_a_500(client, demo, day):
    for path in (f"/calendars/library/?from={day}", f"/calendars/all/?to={day}",
                 f"/calendars/library/?from={day}&to={day}", f"/calendars/library.ics?from={day}",
                 f"/calendars/all.ics?to={day}", f"/calendars/library/month?month={day[:7]}",
                 f"/calendars/library/day/{day}", f"/reservations/library/study-room-a/?from={day}",
                 f"/reservations/library/study-room-a/?date={day}"):
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code == 400:
            assert "between" in response.get_data(as_text=True), path  # says what the window is


def test_a_date_outside_the_window_on_a_list_page_is_named(client, demo):
    response = client.get("/calendars/library/?from=9999-12-31")
    assert response.status_code == 200
    assert "Choose dates between" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["99999999999999999999", "²", "1e9", "-1", "", "0"])
def test_directory_page_numbers_never_break_the_directory(client, demo, page):
    response = client.get(f"/directory/?page={page}")
    assert response.status_code in (200, 400)


def test_a_non_ascii_digit_for_attendees_names_the_field(client, demo):
    from tests.reservations.helpers import booking_form, csrf_token, next_open_day

    path = "/reservations/library/study-room-a/"
    form = {**booking_form(next_open_day()), "attendees": "²", "csrf_token": csrf_token(client, path)}
    response = client.post(path, data=form)
    assert response.status_code == 422
    assert "Enter the number of people attending" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Reservation)) == 0


def _editor(app):
    editor, _ = staff_client(app, "calendars.editor", "calendars.publisher", name="Cal Editor")
    return editor, csrf_headers(editor)


def _series(app) -> tuple[object, dict[str, str], CalendarEvent]:
    editor, headers = _editor(app)
    calendar = Calendar(name="Meetings", slug="meetings", time_zone="America/Chicago")
    db.session.add(calendar)
    db.session.commit()
    start = datetime.now(CHICAGO).date() + timedelta(days=1)
    form = {"title": "Story time", "start_date": start.isoformat(), "start_time": "10:00",
            "end_time": "11:00", "rrule": "FREQ=WEEKLY;COUNT=6"}
    assert editor.post(f"/staff/calendars/{calendar.id}/events/new", data=form, headers=headers).status_code == 303
    return editor, headers, db.session.scalars(select(CalendarEvent)).one()


@pytest.mark.parametrize("all_day", [True, False])
@pytest.mark.parametrize("day", EXTREME_DAYS)
def test_staff_event_dates_at_the_ends_of_the_calendar_are_refused_on_the_field(app, all_day, day):
    editor, headers = _editor(app)
    calendar = Calendar(name="Meetings", slug="meetings", time_zone="Pacific/Kiritimati")
    db.session.add(calendar)
    db.session.commit()
    form = {"title": "Far away", "start_date": day, "end_date": day, "start_time": "23:00", "end_time": "23:30"}
    if all_day:
        form["all_day"] = "y"
    response = editor.post(f"/staff/calendars/{calendar.id}/events/new", data=form, headers=headers)
    assert response.status_code == 422
    assert "Choose dates between" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CalendarEvent)) == 0


def test_moving_an_occurrence_to_year_9999_or_with_doubled_fields_is_refused(app):
    from werkzeug.datastructures import MultiDict

    editor, headers, event = _series(app)
    original = (datetime.now(CHICAGO).date() + timedelta(days=8)).isoformat() + "T10:00:00"
    move = f"/staff/calendars/events/{event.id}/occurrences/move"
    for form, says in (
        ({"original": original, "start_date": "9999-12-31", "start_time": "23:00", "end_time": "23:30"},
         "Choose dates between"),
        ({"original": "9999-12-31T23:59:59", "start_date": "2030-01-01", "start_time": "10:00", "end_time": "11:00"},
         "Choose an occurrence of this event"),
        ({"original": "0001-01-01T00:00:00", "start_date": "2030-01-01", "start_time": "10:00", "end_time": "11:00"},
         "Choose an occurrence of this event"),
    ):
        response = editor.post(move, data=form, headers=headers)
        assert response.status_code == 422 and says in response.get_data(as_text=True), form
    for verb in ("skip", "restore"):
        assert editor.post(f"/staff/calendars/events/{event.id}/occurrences/{verb}", headers=headers,
                           data={"original": "9999-12-31T23:59:59"}).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(CalendarEventOverride)) == 0
    doubled = MultiDict([("original", original), ("original", "9999-12-31T23:59:59"), ("start_date", "2030-01-01"),
                         ("start_date", "9999-12-31"), ("start_time", "10:00"), ("start_time", "25:00"),
                         ("end_time", "12:00"), ("end_time", "x")])
    assert editor.post(move, data=doubled, headers=headers).status_code in (303, 422)
    assert db.session.scalar(select(func.count()).select_from(CalendarEventOverride)) <= 1


def test_a_100k_character_time_zone_is_refused_on_its_field(app):
    editor, headers = _editor(app)
    response = editor.post("/staff/calendars/new", headers=headers,
                           data={"name": "Long", "slug": "long", "time_zone": "A" * 100_000})
    assert response.status_code == 422
    assert "Enter a time zone name" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Calendar)) == 0


def test_nul_characters_are_refused_on_their_field_not_stored(app, client):
    editor, headers = _editor(app)
    response = editor.post("/staff/calendars/new", headers=headers,
                           data={"name": "Nul\x00name", "slug": "nul", "time_zone": "America/Chicago"})
    assert response.status_code == 400
    assert "“name” contains a character that cannot be used" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Calendar)) == 0
    assert client.get("/calendars/%00/").status_code == 400
    assert client.get("/directory/?q=a%00b").status_code == 400
    assert editor.get("/staff/calendars/99999999999999999999/settings").status_code == 404
