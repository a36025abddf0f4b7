"""What staff type into the calendar screens, and its validation: each message belongs to one field."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from dateutil.rrule import rrulestr
from email_validator import EmailNotValidError, validate_email

from app.calendars.models import Calendar, CalendarEvent
from app.calendars.recurrence import local_rule
from app.calendars.recurrence_form import RepeatChoice, series_rule
from app.calendars.repeat_limits import repeat_rule_problem
from app.web.params import BadDate, DateOutsideWindow, date_window, parse_date_param, too_long, whole_number

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Invalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class EventInput:
    title: str = ""
    description: str = ""
    all_day: bool = False
    start_date: str = ""
    start_time: str = ""
    end_date: str = ""
    end_time: str = ""
    rrule: str = ""
    location: str = ""
    facility_id: str = ""
    category: str = ""
    image_url: str = ""
    image_alt: str = ""
    registration_url: str = ""
    repeat: RepeatChoice = field(default_factory=RepeatChoice)  # the editor's repeat builder
    first_date_offer: str = ""  # set when the repeat's first date is not the first day entered
    errors: dict[str, str] = field(default_factory=dict)


def stored_input(data: EventInput) -> dict[str, object]:
    """An EventInput as JSON (a publisher's pending revision keeps what the editor submitted)."""
    return {**{f.name: getattr(data, f.name) for f in fields(EventInput) if f.name not in ("errors", "repeat")},
            "repeat": asdict(data.repeat)}


def input_from_stored(stored: dict[str, object]) -> EventInput:
    values = dict(stored)
    repeat = values.pop("repeat", None)
    return EventInput(**values, repeat=RepeatChoice(**repeat) if isinstance(repeat, dict) else RepeatChoice())


@dataclass
class CalendarInput:
    name: str = ""
    slug: str = ""
    description: str = ""
    is_public: bool = True
    time_zone: str = ""
    exchange_calendar_address: str = ""
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class MoveInput:
    """Where one occurrence of a series goes instead (its original start names it)."""

    original: str = ""
    start_date: str = ""
    start_time: str = ""
    end_time: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _date(value: str, errors: dict[str, str], name: str, what: str) -> date | None:
    try:
        day = parse_date_param(value, date.today())
    except DateOutsideWindow as refused:
        errors[name] = str(refused)
        return None
    except BadDate:
        day = None
    if day is None:
        errors[name] = f"Enter the {what}, for example 2026-12-05."
    return day


def _time(value: str) -> time | None:
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


def parse_event(data: EventInput, zone: ZoneInfo, facility_ids: set[int]) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {"title": data.title.strip(), "description": data.description.strip(),
                                 "location": data.location.strip(), "category": data.category.strip() or None,
                                 "all_day": data.all_day}
    if not values["title"]:
        errors["title"] = "Enter a title."
    elif len(str(values["title"])) > 300:
        errors["title"] = "Keep the title to 300 characters or fewer."
    first = _date(data.start_date, errors, "start_date", "first day")
    last = _date(data.end_date or data.start_date, errors, "end_date", "last day") if first else None
    if first and last and data.all_day:
        if last < first:
            errors["end_date"] = "The last day must be on or after the first day."
        values.update(start_date=first, end_date=last + timedelta(days=1), start_at=None, end_at=None)
    elif first and last:
        starts, ends = _time(data.start_time), _time(data.end_time)
        if starts is None:
            errors["start_time"] = "Enter the start time, for example 18:30 (or tick “All-day event”)."
        if ends is None:
            errors["end_time"] = "Enter the end time, for example 20:00."
        if starts and ends:
            begins, finishes = datetime.combine(first, starts, zone), datetime.combine(last, ends, zone)
            if finishes <= begins:
                errors["end_time"] = "The event must end after it starts."
            values.update(start_at=begins, end_at=finishes, start_date=None, end_date=None)
    typed = _rule(data.rrule, errors) if data.repeat.freq in ("", "custom") else None
    starts_at = values.get("start_at")
    if first and "rrule" not in errors:
        start = starts_at.replace(tzinfo=None) if isinstance(starts_at, datetime) else datetime.combine(first, time.min)
        values["rrule"], offer = series_rule(data.repeat, typed, first, start, zone, data.all_day, errors)
        data.first_date_offer = offer.isoformat() if offer else ""
    values["facility_id"] = None
    if data.facility_id.strip():
        chosen = whole_number(data.facility_id)
        if chosen not in facility_ids:
            errors["facility_id"] = "Choose a facility from the list, or “No facility”."
        values["facility_id"] = chosen
    for name in ("image_url", "registration_url"):
        url = getattr(data, name).strip()
        if url and not url.startswith(("https://", "http://", "/")):
            errors[name] = "Enter a web address starting with https://."
        values[name] = url or None
    values["image_alt"] = data.image_alt.strip() or None
    if values["image_url"] and not values["image_alt"]:
        errors["image_alt"] = "Describe the image for people who cannot see it."
    errors = {**too_long(CalendarEvent, values), **errors}
    if errors:
        raise Invalid(errors)
    return values


def _rule(text: str, errors: dict[str, str]) -> str | None:
    rule = text.strip().removeprefix("RRULE:")
    if not rule:
        return None
    try:
        rrulestr(local_rule(rule, ZoneInfo("UTC")), dtstart=datetime(2026, 1, 1))
    except (ValueError, TypeError):
        errors["rrule"] = "This repeat rule is not valid (for example FREQ=WEEKLY;BYDAY=TU;COUNT=10)."
        return None
    if "DTSTART" in rule.upper() or "\n" in rule:
        errors["rrule"] = "Give the repeat rule only (FREQ=…); the first day and time come from the fields above."
    elif problem := repeat_rule_problem(rule):
        errors["rrule"] = problem
    return rule


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the zone database's files: once per process


def parse_calendar(data: CalendarInput, slug_taken: bool) -> dict[str, object]:
    errors: dict[str, str] = {}
    name, slug = data.name.strip(), data.slug.strip().lower()
    if not name:
        errors["name"] = "Enter a name."
    elif len(name) > 200:
        errors["name"] = "Keep the name to 200 characters or fewer."
    if not SLUG.match(slug) or len(slug) > 100:
        errors["slug"] = "Use lower-case letters, digits and hyphens, for example city-meetings."
    elif slug == "all":  # the combined view's address
        errors["slug"] = "This web address is reserved; choose another."
    elif slug_taken:
        errors["slug"] = "Another calendar has this web address; choose another."
    zone = data.time_zone.strip()
    if zone not in _zone_names():  # looked up before ZoneInfo(), which opens a file of that name
        errors["time_zone"] = "Enter a time zone name, for example America/Chicago."
    address = data.exchange_calendar_address.strip()
    if address:
        try:
            address = validate_email(address, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["exchange_calendar_address"] = "Enter the Exchange mailbox address, for example events@auburnal.gov."
    values = {"name": name, "slug": slug, "description": data.description.strip(), "is_public": data.is_public,
              "time_zone": zone, "exchange_calendar_address": address or None}
    errors = {**too_long(Calendar, values), **errors}
    if errors:
        raise Invalid(errors)
    return values


def occurrence_start(raw: str, zone: ZoneInfo) -> datetime:
    """The original start that names an occurrence (a naive local ISO time), refused on "original"."""
    try:
        moment = datetime.fromisoformat(raw) if raw.isascii() else None
    except ValueError:
        moment = None
    first, last = date_window(date.today())
    if moment is None or not first <= moment.date() <= last:
        raise Invalid({"original": "Choose an occurrence of this event."})
    return moment.replace(tzinfo=zone)


def parse_move(data: MoveInput, zone: ZoneInfo) -> tuple[datetime, datetime, datetime]:
    """(original start, new start, new end) as aware datetimes in the event's zone."""
    errors: dict[str, str] = {}
    original = occurrence_start(data.original, zone)
    day = _date(data.start_date, errors, "start_date", "new day")
    starts, ends = _time(data.start_time), _time(data.end_time)
    if starts is None:
        errors["start_time"] = "Enter the new start time, for example 18:30."
    if ends is None:
        errors["end_time"] = "Enter the new end time, for example 20:00."
    if day and starts and ends:
        begins, finishes = datetime.combine(day, starts, zone), datetime.combine(day, ends, zone)
        if finishes <= begins:
            errors["end_time"] = "The occurrence must end after it starts."
    if errors:
        raise Invalid(errors)
    return original, begins, finishes
