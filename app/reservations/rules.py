"""The booking form's values, checked against the space's ReservationConfig.

Every refusal is a message for one field, written for the citizen who typed it, so the form can
show it beside that field and in the error summary.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from typing import TypeVar
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

from app.facilities.models import FacilitySpace, ReservationConfig
from app.people.validation import InvalidValue, normalize_phone
from app.reservations.formatting import clock_time, duration_words
from app.web.params import whole_number

# The furthest a space's horizon may reach (manage links stay valid that long plus a month).
MAX_HORIZON_DAYS = 365
MAX_NAME_LENGTH = 200
MAX_PURPOSE_LENGTH = 2000
Parsed = TypeVar("Parsed")
STEP_WORDS = {15: "quarter-hour", 30: "half-hour", 60: "hour"}

FIELD_ORDER = (
    "date", "start_time", "end_time", "requester_name", "requester_email", "requester_phone",
    "purpose", "attendees",
)
FIELD_LABELS = {
    "date": "Date", "start_time": "Start time", "end_time": "End time",
    "requester_name": "Your name", "requester_email": "Email address",
    "requester_phone": "Phone number", "purpose": "Purpose of the reservation",
    "attendees": "Number of people attending",
}


@dataclass(frozen=True)
class BookingRequest:
    requester_name: str
    requester_email: str
    requester_phone: str | None
    purpose: str
    attendees: int
    start_at: datetime
    end_at: datetime


def time_choices(config: ReservationConfig) -> list[time]:
    """Start and end times the form offers: every step within any opening range of the week."""
    return list(_week_times(_week_ranges(config), config.step_minutes))


def time_options(config: ReservationConfig) -> tuple[tuple[str, str], ...]:
    """The form's (value, label) pairs, e.g. ("09:30", "9:30 AM"): the same for every visitor."""
    return _options(_week_ranges(config), config.step_minutes)


def _week_ranges(config: ReservationConfig) -> tuple[tuple[time, time], ...]:
    week = date(2000, 1, 3)  # a Monday
    return tuple(sorted({r for n in range(7) for r in config.hours_on(week + timedelta(days=n))}))


@lru_cache(maxsize=256)
def _week_times(ranges: tuple[tuple[time, time], ...], step: int) -> tuple[time, ...]:
    return tuple(sorted({clock for opens, closes in ranges for clock in range_times(opens, closes, step)}))


def range_times(opens: time, closes: time, step: int) -> list[time]:
    """Every `step` minutes from opening to closing, both included."""
    anchor = date(2000, 1, 3)
    current, last = datetime.combine(anchor, opens), datetime.combine(anchor, closes)
    choices = []
    while current <= last:
        choices.append(current.time())
        current += timedelta(minutes=step)
    return choices


@lru_cache(maxsize=256)
def _options(ranges: tuple[tuple[time, time], ...], step: int) -> tuple[tuple[str, str], ...]:
    return tuple((clock.strftime("%H:%M"), clock_time(clock)) for clock in _week_times(ranges, step))


def opening_words(ranges: list[tuple[time, time]]) -> str:
    """9:00 AM to 12:00 PM and 1:00 PM to 8:00 PM"""
    return " and ".join(f"{clock_time(opens)} to {clock_time(closes)}" for opens, closes in ranges)


def week_hours(config: ReservationConfig) -> list[tuple[str, str]]:
    """("Monday", "9:00 AM to 12:00 PM and 1:00 PM to 8:00 PM") for each weekday, or "Closed"."""
    monday = date(2000, 1, 3)
    days = [monday + timedelta(days=n) for n in range(7)]
    return [(day.strftime("%A"), opening_words(config.hours_on(day)) or "Closed") for day in days]


def earliest_start(lead_time_hours: int, now: datetime) -> datetime:
    return now + timedelta(hours=lead_time_hours)


def last_bookable_day(now: datetime, zone: ZoneInfo, horizon_days: int) -> date:
    return now.astimezone(zone).date() + timedelta(days=horizon_days)


def is_open_on(config: ReservationConfig, day: date) -> bool:
    return bool(config.hours_on(day))


def example_day(config: ReservationConfig, first: date) -> date:
    """The first day from `first` on that the room is open: the form's example is a date one could book."""
    return next((first + timedelta(days=n) for n in range(7) if is_open_on(config, first + timedelta(days=n))), first)


def parse_date(raw: str) -> date:
    """What the browser's date control sends (2026-03-13), or what a person types where the browser
    shows a text box, as the control displays dates here (03/13/2026)."""
    raw = raw.strip()
    if "/" in raw:
        return datetime.strptime(raw, "%m/%d/%Y").date()
    return date.fromisoformat(raw)


def parse_clock(raw: str) -> time:
    """What the browser's time control sends (14:30), or what a person types where the browser
    shows a text box, as the control displays times here (2:30 PM)."""
    raw = raw.strip().upper().replace(".", "")
    for layout in ("%I:%M %p", "%I:%M%p", "%I %p", "%I%p"):
        try:
            return datetime.strptime(raw, layout).time()
        except ValueError:
            continue
    return time.fromisoformat(raw)


def local_instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(timezone.utc)


def parse_booking(
    form: Mapping[str, str], space: FacilitySpace, zone: ZoneInfo, now: datetime,
    *, broken_rules: dict[str, str] | None = None,
) -> tuple[BookingRequest | None, dict[str, str]]:
    """The request when every field is acceptable; otherwise None and the messages by field.

    With `broken_rules` (a staff override), a breach of the space's own rules (open days and
    hours, duration, lead time, attendee limit) is written there instead of refusing the request.
    """
    config = space.reservation_config
    assert config is not None, "only citizen-reservable spaces have a booking form"
    errors: dict[str, str] = {}
    rules = errors if broken_rules is None else broken_rules
    values = {name: (form.get(name) or "").strip() for name in FIELD_ORDER}

    name = " ".join(values["requester_name"].split())
    if not name:
        errors["requester_name"] = "Enter your name."
    elif len(name) > MAX_NAME_LENGTH:
        errors["requester_name"] = f"Your name must be {MAX_NAME_LENGTH} characters or fewer."

    email = _email(values["requester_email"], errors)
    phone = None
    if values["requester_phone"]:
        try:
            phone = normalize_phone(values["requester_phone"])
        except InvalidValue as refused:
            errors["requester_phone"] = str(refused)

    purpose = values["purpose"]
    if not purpose:
        errors["purpose"] = "Tell us what the reservation is for."
    elif len(purpose) > MAX_PURPOSE_LENGTH:
        errors["purpose"] = f"The purpose must be {MAX_PURPOSE_LENGTH} characters or fewer."

    attendees = _attendees(values["attendees"], space, errors, rules)
    start_at, end_at = _times(values, config, zone, now, errors, rules)
    if errors or start_at is None or end_at is None or attendees is None or email is None:
        return None, errors
    return BookingRequest(name, email, phone, purpose, attendees, start_at, end_at), {}


def _email(raw: str, errors: dict[str, str]) -> str | None:
    if not raw:
        errors["requester_email"] = "Enter your email address: we send the confirmation there."
        return None
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        errors["requester_email"] = "Enter an email address like name@example.com."
        return None


def _attendees(raw: str, space: FacilitySpace, errors: dict[str, str], rules: dict[str, str]) -> int | None:
    count = whole_number(raw)
    if not count:
        errors["attendees"] = "Enter the number of people attending, as a whole number like 12."
        return None
    limit = attendee_limit(space)
    if limit is not None and count > limit:
        rules["attendees"] = f"{space.name} can hold at most {limit} people."
        return None if rules is errors else count
    return count


def attendee_limit(space: FacilitySpace) -> int | None:
    config = space.reservation_config
    limits = [n for n in (space.capacity, config.max_attendees if config else None) if n]
    return min(limits) if limits else None


def _times(
    values: dict[str, str], config: ReservationConfig, zone: ZoneInfo, now: datetime,
    errors: dict[str, str], rules: dict[str, str],
) -> tuple[datetime | None, datetime | None]:
    day = _parse(parse_date, values["date"])
    start = _parse(parse_clock, values["start_time"])
    end = _parse(parse_clock, values["end_time"])
    if day is None:
        example = example_day(config, earliest_start(config.lead_time_hours, now).astimezone(zone).date())
        errors["date"] = f"Enter the date as month/day/year, for example {example:%m/%d/%Y}."
    elif day < now.astimezone(zone).date():
        errors["date"] = "The date is in the past. Choose a date from today on."
    elif day > last_bookable_day(now, zone, config.horizon_days):
        errors["date"] = (f"That is too far ahead: reservations open {config.horizon_days} days ahead. "
                          "Choose an earlier date.")
    elif not is_open_on(config, day):
        rules["date"] = f"The space is closed on {day.strftime('%A')}s. Choose another day."
    if start is None:
        errors["start_time"] = "Choose a start time."
    if end is None:
        errors["end_time"] = "Choose an end time."
    if start is None or end is None or day is None or "date" in errors:
        return None, None
    ranges = config.hours_on(day)
    opening = next(((opens, closes) for opens, closes in ranges if opens <= start < closes), None)
    if opening is None:
        rules["start_time"] = (f"Choose a start time within the opening hours on {day.strftime('%A')}s, "
                               f"{opening_words(ranges) or 'when it is open'}.")
    elif _minutes_between(opening[0], start) % config.step_minutes:
        rules["start_time"] = f"Choose a start time on the {STEP_WORDS[config.step_minutes]}."
    if end <= start:
        errors["end_time"] = "The end time must be after the start time."
    elif opening is not None and end > opening[1]:
        rules["end_time"] = f"Choose an end time by {clock_time(opening[1])}, when the space closes."
    elif _minutes_between(start, end) % config.step_minutes:
        rules["end_time"] = f"Choose an end time on the {STEP_WORDS[config.step_minutes]}."
    if errors.keys() & {"date", "start_time", "end_time"}:
        return None, None
    start_at, end_at = local_instant(day, start, zone), local_instant(day, end, zone)
    minutes = int((end_at - start_at).total_seconds() // 60)
    if minutes < config.min_duration_minutes:
        rules["end_time"] = f"That is too short: reservations last at least {duration_words(config.min_duration_minutes)}."
    elif minutes > config.max_duration_minutes:
        rules["end_time"] = f"That is too long: reservations last at most {duration_words(config.max_duration_minutes)}."
    earliest = earliest_start(config.lead_time_hours, now)
    if start_at < earliest:
        when = earliest.astimezone(zone).strftime("%A, %B %-d at %-I:%M %p")
        rules["start_time"] = (
            f"That is too soon: reservations must be made {config.lead_time_hours} hours ahead. "
            f"The earliest start is {when}."
        )
    return start_at, end_at


def _minutes_between(earlier: time, later: time) -> int:
    return (later.hour * 60 + later.minute) - (earlier.hour * 60 + earlier.minute)


def _parse(parser: Callable[[str], Parsed], raw: str) -> Parsed | None:
    try:
        return parser(raw) if raw else None
    except ValueError:
        return None

