"""Values read from a request's parameters and forms, refused when out of range rather than left to
overflow later (a date of year 9999 plus a day, a page number of twenty digits, '²' that
`str.isdigit()` accepts and `int()` does not).

Dates are kept within WINDOW_YEARS of today: the public pages and feeds never need more, and every
date computation (a list's end, a month's last week, recurrences expanded up to it) stays in range
and cheap.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

WINDOW_YEARS = 10
# The largest value an INTEGER column (and a URL's <int:...>) holds on PostgreSQL.
MAX_ID = 2**31 - 1
DATE_FORMAT_MESSAGE = "Enter dates as year-month-day, for example 2026-12-05."


class BadDate(ValueError):
    """A date parameter that cannot be used; str() is the message for the person who sent it."""


class DateOutsideWindow(BadDate):
    """A real date, but too far from today to be asked for."""


def date_window(today: date) -> tuple[date, date]:
    """The first and last day a date parameter may name."""
    return _years_from(today, -WINDOW_YEARS), _years_from(today, WINDOW_YEARS)


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def window_message(today: date) -> str:
    first, last = date_window(today)
    return f"Choose dates between {first:%B} {first.day}, {first.year} and {last:%B} {last.day}, {last.year}."


def parse_date_param(raw: str | None, today: date) -> date | None:
    """The date `raw` names (ISO year-month-day); None when empty; BadDate when unreadable or outside
    the window around `today`."""
    if not raw:
        return None
    try:
        if not raw.isascii():
            raise ValueError(raw)
        value = date.fromisoformat(raw)
    except ValueError:
        raise BadDate(DATE_FORMAT_MESSAGE) from None
    first, last = date_window(today)
    if not first <= value <= last:
        raise DateOutsideWindow(window_message(today))
    return value


def whole_number(raw: str | None, maximum: int = MAX_ID) -> int | None:
    """A whole number written in ASCII digits, no larger than `maximum`; None for anything else."""
    text = (raw or "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


def too_long(model: type, values: Mapping[str, object]) -> dict[str, str]:
    """A message for each text value longer than its column of `model` holds: the column is the
    limit, so a form's limits never drift from the schema (PostgreSQL refuses what SQLite keeps)."""
    errors: dict[str, str] = {}
    columns = model.__table__.columns  # type: ignore[attr-defined]
    for name, value in values.items():
        length = getattr(columns[name].type, "length", None) if name in columns else None
        if isinstance(value, str) and length and len(value) > length:
            errors[name] = f"Keep this to {length:,} characters or fewer."
    return errors
