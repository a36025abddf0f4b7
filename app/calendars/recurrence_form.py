"""The repeat builder of the event editor: plain choices (daily, weekly on chosen days, monthly by date
or by "2nd Tuesday", yearly; every N; ends never, on a date or after N times) turned into an RRULE
and back, the next dates it makes, and the check that the first date is one of them.

UNTIL is written in UTC for a series with times (RFC 5545 §3.3.10: with a zoned DTSTART, UNTIL MUST be
UTC) and as a DATE for an all-day series. dateutil does the expanding (recurrence.expand).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import vRecur
from werkzeug.datastructures import MultiDict

from app.calendars.recurrence import expand
from app.calendars.recurrence_words import DAY_NAMES, ORDINALS, describe_rule, long_date

FREQUENCIES = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "YEARLY"}
WEEKDAY_CODES = list(DAY_NAMES)  # MO..SU, as date.weekday() counts
MAX_INTERVAL, MAX_COUNT = 99, 500
PREVIEW_COUNT = 6
WEEKDAYS = [(code, name) for code, name in DAY_NAMES.items()]


@dataclass
class RepeatChoice:
    """The builder's fields as posted ("" when the form had no builder, e.g. an Outlook import)."""

    freq: str = ""  # "", "none", daily, weekly, monthly, yearly, or "custom" (a rule the builder cannot show)
    interval: str = "1"
    days: str = ""  # comma-separated MO..SU
    monthly_by: str = "date"  # "date" (the 9th) or "weekday" (the 2nd Tuesday)
    ends: str = "never"  # never, on, after
    until: str = ""
    count: str = ""


def repeat_choice_of(form: Mapping[str, str] | MultiDict[str, str]) -> RepeatChoice:
    """The builder's fields from a posted form (the days are checkboxes: several values)."""
    days = form.getlist("repeat_days") if isinstance(form, MultiDict) else []
    return RepeatChoice(freq=form.get("repeat_freq", ""), interval=form.get("repeat_interval", "1"),
                        days=",".join(days), monthly_by=form.get("repeat_monthly_by", "date"),
                        ends=form.get("repeat_ends", "never"), until=form.get("repeat_until", ""),
                        count=form.get("repeat_count", ""))


def nth_weekday(day: date) -> tuple[int, str]:
    """(2, "TU") for the second Tuesday of its month; the fifth is "last" (-1): not every month has one."""
    number = (day.day - 1) // 7 + 1
    return (-1 if number == 5 else number), WEEKDAY_CODES[day.weekday()]


def monthly_weekday_words(day: date) -> str:
    number, code = nth_weekday(day)
    return f"the {ORDINALS[number]} {DAY_NAMES[code]}"


def build_rule(choice: RepeatChoice, first: date, zone: ZoneInfo | None, errors: dict[str, str]) -> str | None:
    """The RRULE of these choices for a series starting on `first` (zone None: all-day)."""
    if choice.freq not in FREQUENCIES:
        return None
    parts: dict[str, list[object]] = {"FREQ": [FREQUENCIES[choice.freq]]}
    interval = _number(choice.interval or "1", MAX_INTERVAL)
    if interval is None:
        errors["repeat_interval"] = f"Enter how often it repeats, a whole number from 1 to {MAX_INTERVAL}."
    elif interval > 1:
        parts["INTERVAL"] = [interval]
    if choice.freq == "weekly":
        days = [d for d in WEEKDAY_CODES if d in choice.days.split(",")]
        parts["BYDAY"] = days or [WEEKDAY_CODES[first.weekday()]]
    elif choice.freq == "monthly":
        if choice.monthly_by == "weekday":
            number, code = nth_weekday(first)
            parts["BYDAY"] = [f"{number}{code}"]
        else:
            parts["BYMONTHDAY"] = [first.day]
    elif choice.freq == "yearly":
        parts.update(BYMONTH=[first.month], BYMONTHDAY=[first.day])
    if choice.ends == "after":
        count = _number(choice.count, MAX_COUNT)
        if count is None:
            errors["repeat_count"] = f"Enter how many times it happens, a whole number from 1 to {MAX_COUNT}."
        else:
            parts["COUNT"] = [count]
    elif choice.ends == "on":
        try:
            last = date.fromisoformat(choice.until)
        except ValueError:
            errors["repeat_until"] = "Enter the last day it may happen, for example 2027-06-30."
        else:
            if last < first:
                errors["repeat_until"] = "The last day must be on or after the first day."
            parts["UNTIL"] = [until_value(last, zone)]
    rule = vRecur({key: value for key, value in parts.items()})
    return rule.to_ical().decode()


def until_value(last: date, zone: ZoneInfo | None) -> date | datetime:
    """The end of `last` in the series' zone, in UTC; the date itself for an all-day series."""
    if zone is None:
        return last
    return datetime.combine(last, time(23, 59, 59), zone).astimezone(timezone.utc)


def utc_until(rule_text: str, zone: ZoneInfo | None) -> str:
    """A rule whose UNTIL is floating local time (as Outlook's mapping or a typed rule has it) with
    UNTIL in UTC, for a series with times; other rules unchanged."""
    parts = vRecur.from_ical(rule_text)
    until = (parts.get("UNTIL") or [None])[0]
    if zone is None or not isinstance(until, datetime) or until.tzinfo is not None:
        return rule_text
    parts["UNTIL"] = [until.replace(tzinfo=zone).astimezone(timezone.utc)]
    return vRecur(parts).to_ical().decode()


def choice_of(rule_text: str | None, first: date | None, zone: ZoneInfo | None = None) -> RepeatChoice:
    """The builder's fields showing a stored rule; "custom" when the builder cannot show it as it is."""
    if not rule_text:
        return RepeatChoice(freq="none")
    try:
        parts = vRecur.from_ical(rule_text)
    except ValueError:
        return RepeatChoice(freq="custom")
    freq = {v: k for k, v in FREQUENCIES.items()}.get(str(parts.get("FREQ", [""])[0]))
    choice = RepeatChoice(freq=freq or "custom", interval=str((parts.get("INTERVAL") or [1])[0]))
    allowed = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY", "BYMONTH"}
    if freq is None or first is None or set(parts) - allowed:
        choice.freq = "custom"
        return choice
    byday = [str(d) for d in parts.get("BYDAY") or []]
    if freq == "weekly":
        choice.days = ",".join(byday)
    elif freq == "monthly":
        number, code = nth_weekday(first)
        if byday == [f"{number}{code}"]:
            choice.monthly_by = "weekday"
        elif [int(d) for d in parts.get("BYMONTHDAY") or []] != [first.day] or byday:
            choice.freq = "custom"
    elif freq == "yearly" and (byday or [int(d) for d in parts.get("BYMONTHDAY") or [first.day]] != [first.day]):
        choice.freq = "custom"
    if parts.get("COUNT"):
        choice.ends, choice.count = "after", str(parts["COUNT"][0])
    elif parts.get("UNTIL"):
        until = parts["UNTIL"][0]
        choice.ends = "on"
        if isinstance(until, datetime):
            until = (until.astimezone(zone) if zone and until.tzinfo else until).date()
        choice.until = until.isoformat()
    return choice


def next_dates(rule_text: str, start: datetime, zone: ZoneInfo, count: int = PREVIEW_COUNT) -> list[datetime]:
    """The first `count` starts the rule makes (naive local), for the preview."""
    found = []
    for moment in expand(rule_text, start, zone):
        found.append(moment)
        if len(found) == count:
            break
    return found


def first_date_problem(rule_text: str, start: datetime, zone: ZoneInfo) -> tuple[str, date | None] | None:
    """(message, the rule's first date) when the series would start on a day its own rule excludes.

    RFC 5545 counts DTSTART as the first instance anyway, dateutil and ical.js do not: calendar apps
    would disagree on whether that day has the event, so the editor refuses it."""
    dates = next_dates(rule_text, start, zone, 1)
    if dates and dates[0] == start:
        return None
    first = dates[0].date() if dates else None
    said = f"{long_date(start.date())} is not one of the dates this repeat makes"
    if first is None:
        return said + "; it makes no date at all. Change the repeat or its end.", None
    return f"{said}; its first date is {long_date(first)}. Start the event on that day, or change the repeat.", first


def _number(text: str, highest: int) -> int | None:
    try:
        value = int(text.strip())
    except ValueError:
        return None
    return value if 1 <= value <= highest else None


def shift_end(start: date, end: date, new_start: date) -> date:
    """The last day after the first day moves, keeping the event's length."""
    return new_start + (end - start if end >= start else timedelta(0))


def series_rule(choice: RepeatChoice, typed: str | None, first: date, start: datetime, zone: ZoneInfo,
                all_day: bool, errors: dict[str, str]) -> tuple[str | None, date | None]:
    """The rule to store (the builder's, or a typed/imported one kept as it is with UNTIL made UTC),
    and the rule's own first date when the series does not start on it (errors["start_date"] then says so)."""
    rule = build_rule(choice, first, None if all_day else zone, errors) if choice.freq in FREQUENCIES else typed
    if choice.freq == "none":
        rule = None
    if not rule or errors:
        return rule, None
    rule = utc_until(rule, None if all_day else zone)
    problem = first_date_problem(rule, start, zone)
    if problem is None:
        return rule, None
    errors["start_date"] = problem[0]
    return rule, problem[1]


@dataclass(frozen=True)
class Preview:
    dates: list[str]  # the next dates in words
    words: str  # the rule in words
    problem: str = ""


def preview(choice: RepeatChoice, typed: str, start_date: str, start_time: str, all_day: bool,
            zone: ZoneInfo) -> Preview | None:
    """What the editor's repeat choices make, from what is typed so far; None when it does not repeat."""
    if choice.freq == "none" or (choice.freq in ("", "custom") and not typed.strip()):
        return None
    try:
        first = date.fromisoformat(start_date)
    except ValueError:
        return Preview([], "", "Enter the first day to see the dates.")
    clock = time.min
    if not all_day:
        try:
            clock = time.fromisoformat(start_time)
        except ValueError:
            return Preview([], "", "Enter the start time to see the dates.")
    errors: dict[str, str] = {}
    rule = build_rule(choice, first, None if all_day else zone, errors) if choice.freq in FREQUENCIES else typed
    if errors or not rule:
        return Preview([], "", " ".join(errors.values()))
    start = datetime.combine(first, clock)
    try:
        dates = next_dates(rule, start, zone)
    except (ValueError, TypeError):
        return Preview([], "", "This repeat is not valid.")
    problem = first_date_problem(rule, start, zone)
    said = [long_date(d.date()) + ("" if all_day else f" at {d:%-I:%M %p}") for d in dates]
    return Preview(said, describe_rule(rule, first, zone), problem[0] if problem else "")
