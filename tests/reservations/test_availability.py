"""Free times of a day: opening hours minus every booking (and its buffer), after the lead time."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from app.facilities.models import ReservationConfig
from app.reservations.availability import Interval, first_conflict, free_periods
from tests.reservations.helpers import CITY

DAY = date(2026, 3, 13)  # a Friday
EARLY = datetime(2026, 3, 1, 12, 0, tzinfo=CITY)


def _config(**rules: object) -> ReservationConfig:
    values = {
        "open_time": time(9), "close_time": time(20), "open_weekdays": [1, 2, 3, 4, 5, 6],
        "min_duration_minutes": 60, "max_duration_minutes": 240, "lead_time_hours": 24,
        "buffer_minutes": 0, **rules,
    }
    return ReservationConfig(**values)


def _at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CITY)


def _local(periods: list[Interval]) -> list[tuple[str, str]]:
    return [(p.start.astimezone(CITY).strftime("%H:%M"), p.end.astimezone(CITY).strftime("%H:%M"))
            for p in periods]


def test_a_free_day_is_free_from_opening_to_closing():
    assert _local(free_periods(_config(), DAY, [], CITY, EARLY)) == [("09:00", "20:00")]


def test_closed_days_have_no_free_time():
    assert free_periods(_config(), date(2026, 3, 15), [], CITY, EARLY) == []


def test_bookings_and_their_buffer_are_taken_out():
    busy = [Interval(_at(10), _at(11)), Interval(_at(14), _at(15, 30))]
    # 9:00-9:30 is left before the first buffer, but shorter than the one-hour minimum.
    assert _local(free_periods(_config(buffer_minutes=30), DAY, busy, CITY, EARLY)) == [
        ("11:30", "13:30"), ("16:00", "20:00"),
    ]


def test_gaps_shorter_than_the_minimum_duration_are_not_offered():
    busy = [Interval(_at(9, 45), _at(12)), Interval(_at(12, 50), _at(19, 30))]
    assert free_periods(_config(), DAY, busy, CITY, EARLY) == []


def test_free_time_snaps_to_the_quarter_hour_grid():
    busy = [Interval(_at(9), _at(10, 5)), Interval(_at(12, 55), _at(20))]
    assert _local(free_periods(_config(), DAY, busy, CITY, EARLY)) == [("10:15", "12:45")]


def test_nothing_starts_before_the_lead_time():
    now = _at(13, 10) - timedelta(hours=24)
    assert _local(free_periods(_config(), DAY, [], CITY, now)) == [("13:15", "20:00")]


def test_a_conflict_includes_the_buffer_but_back_to_back_without_buffer_is_fine():
    booked = [Interval(_at(10), _at(11))]
    assert first_conflict(Interval(_at(11), _at(12)), booked, 0) is None
    assert first_conflict(Interval(_at(11), _at(12)), booked, 15) == booked[0]
    assert first_conflict(Interval(_at(8), _at(10)), booked, 0) is None
    assert first_conflict(Interval(_at(10, 30), _at(12)), booked, 0) == booked[0]
