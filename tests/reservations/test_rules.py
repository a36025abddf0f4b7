"""The booking form's checks against the space's ReservationConfig: one message per field."""
from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from app.facilities.models import FacilitySpace, ReservationConfig
from app.reservations.rules import parse_booking, time_choices
from tests.reservations.helpers import CITY

# Tuesday 2026-03-10, 15:00 UTC = 10:00 in Auburn (CDT since March 8).
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=timezone.utc)


def _room(**rules: object) -> FacilitySpace:
    config = {
        "approval_required": True, "open_time": time(9), "close_time": time(20),
        "open_weekdays": [1, 2, 3, 4, 5, 6], "min_duration_minutes": 60,
        "max_duration_minutes": 240, "lead_time_hours": 48, "buffer_minutes": 30,
        "max_attendees": 80, **rules,
    }
    return FacilitySpace(name="Program Room", capacity=60, reservation_config=ReservationConfig(**config))


def _form(**fields: str) -> dict[str, str]:
    return {
        "date": "2026-03-13", "start_time": "10:00", "end_time": "12:00",
        "requester_name": "Ann Citizen", "requester_email": "Ann@Example.org",
        "requester_phone": "334 501 3000", "purpose": "Book club", "attendees": "12", **fields,
    }


def test_a_valid_request_is_converted_to_utc_instants():
    booking, errors = parse_booking(_form(), _room(), CITY, NOW)
    assert errors == {}
    assert booking.start_at == datetime(2026, 3, 13, 15, 0, tzinfo=timezone.utc)
    assert booking.end_at == datetime(2026, 3, 13, 17, 0, tzinfo=timezone.utc)
    assert booking.requester_email == "Ann@example.org"
    assert booking.requester_phone == "(334) 501-3000"
    assert booking.attendees == 12


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"requester_name": "  "}, "requester_name", "Enter your name."),
        ({"requester_email": "ann-at-example"}, "requester_email", "like name@example.com"),
        ({"requester_phone": "12"}, "requester_phone", "phone number"),
        ({"purpose": ""}, "purpose", "what the reservation is for"),
        ({"attendees": "a dozen"}, "attendees", "whole number"),
        ({"attendees": "61"}, "attendees", "at most 60 people"),  # capacity 60 < max_attendees 80
        ({"date": "13/03/2026"}, "date", "month/day/year, for example 03/12/2026"),
        ({"date": "2026-03-09"}, "date", "in the past"),
        ({"date": "2026-03-15"}, "date", "closed on Sundays"),
        ({"date": "2026-06-01"}, "date", "60 days ahead"),
        ({"start_time": "08:00"}, "start_time", "opening hours on Fridays, 9:00 AM to 8:00 PM"),
        ({"end_time": "21:00"}, "end_time", "by 8:00 PM, when the space closes"),
        ({"end_time": "09:30"}, "end_time", "after the start time"),
        ({"end_time": "10:30"}, "end_time", "at least 1 hour"),
        ({"end_time": "14:30"}, "end_time", "at most 4 hours"),
        ({"date": "2026-03-11"}, "start_time", "48 hours ahead. The earliest start is Thursday, March 12 at 10:00 AM"),
    ],
)
def test_each_refusal_is_tied_to_its_field(fields, field, message):
    booking, errors = parse_booking(_form(**fields), _room(), CITY, NOW)
    assert booking is None
    assert list(errors) == [field]
    assert message in errors[field]


def test_every_problem_is_reported_at_once():
    form = _form(requester_name="", requester_email="", attendees="0", start_time="", end_time="")
    _, errors = parse_booking(form, _room(), CITY, NOW)
    assert set(errors) == {"requester_name", "requester_email", "attendees", "start_time", "end_time"}


def test_the_phone_number_is_optional():
    booking, errors = parse_booking(_form(requester_phone=""), _room(), CITY, NOW)
    assert errors == {} and booking.requester_phone is None


def test_times_offered_cover_the_opening_hours_in_quarter_hours():
    choices = time_choices(_room().reservation_config)
    assert choices[0] == time(9) and choices[-1] == time(20) and time(9, 15) in choices
    assert len(choices) == 11 * 4 + 1


def test_lead_time_counts_from_the_moment_of_submission():
    room = _room(lead_time_hours=2)
    _, errors = parse_booking(_form(date="2026-03-10", start_time="11:45", end_time="13:00"), room, CITY, NOW)
    assert "start_time" in errors
    booking, errors = parse_booking(_form(date="2026-03-10", start_time="12:00", end_time="13:00"), room, CITY, NOW)
    assert errors == {} and booking.start_at == datetime(2026, 3, 10, 17, 0, tzinfo=timezone.utc)


SPLIT_FRIDAY = {"5": [["09:00", "12:00"], ["13:00", "17:00"]], "6": [["10:00", "14:00"]]}


@pytest.mark.parametrize(
    ("rules", "fields", "field", "message"),
    [
        ({"weekly_hours": SPLIT_FRIDAY}, {"start_time": "12:00", "end_time": "13:00"}, "start_time",
         "opening hours on Fridays, 9:00 AM to 12:00 PM and 1:00 PM to 5:00 PM"),
        ({"weekly_hours": SPLIT_FRIDAY}, {"start_time": "11:00", "end_time": "14:00"}, "end_time",
         "by 12:00 PM, when the space closes"),
        ({"weekly_hours": SPLIT_FRIDAY}, {"date": "2026-03-16"}, "date", "closed on Mondays"),
        ({"step_minutes": 30}, {"start_time": "10:15", "end_time": "12:15"}, "start_time", "on the half-hour"),
        ({"step_minutes": 60}, {"end_time": "11:30"}, "end_time", "on the hour"),
        ({"horizon_days": 2}, {}, "date", "too far ahead: reservations open 2 days ahead"),
        ({"max_duration_minutes": 90}, {}, "end_time", "too long: reservations last at most 1 hour 30 minutes"),
    ],
)
def test_the_settings_screen_rules_are_enforced_on_submit(rules, fields, field, message):
    booking, errors = parse_booking(_form(**fields), _room(**rules), CITY, NOW)
    assert booking is None and list(errors) == [field]
    assert message in errors[field]


def test_a_second_opening_of_the_day_can_be_booked_and_the_times_offered_follow_the_ranges():
    room = _room(weekly_hours=SPLIT_FRIDAY, step_minutes=30)
    booking, errors = parse_booking(_form(start_time="13:00", end_time="15:00"), room, CITY, NOW)
    assert errors == {} and booking is not None
    choices = time_choices(room.reservation_config)
    assert choices[0] == time(9) and choices[-1] == time(17)
    assert time(9, 30) in choices and time(9, 15) not in choices


def test_a_date_typed_as_the_browsers_date_control_shows_it_is_understood():
    booking, errors = parse_booking(_form(date="03/13/2026"), _room(), CITY, NOW)
    assert errors == {} and booking.start_at == datetime(2026, 3, 13, 15, 0, tzinfo=timezone.utc)


def test_the_date_example_is_a_day_the_room_is_open():
    from datetime import date

    from app.reservations.rules import example_day

    weekdays = _room(open_weekdays=[2, 4]).reservation_config  # Tuesdays and Thursdays
    assert example_day(weekdays, date(2026, 3, 11)) == date(2026, 3, 12)  # a Wednesday: the Thursday after
    assert example_day(weekdays, date(2026, 3, 12)) == date(2026, 3, 12)
