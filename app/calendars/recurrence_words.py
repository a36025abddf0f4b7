"""A repeat rule in the words staff and citizens use ("Every 2 weeks on Tuesday and Thursday, 10 times"),
whether MyGov's rule builder wrote it or it came from Outlook."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from icalendar import vRecur

DAY_NAMES = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
             "SA": "Saturday", "SU": "Sunday"}
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second to last"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
UNITS = {"DAILY": ("day", "days"), "WEEKLY": ("week", "weeks"), "MONTHLY": ("month", "months"),
         "YEARLY": ("year", "years")}


def joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def long_date(day: date) -> str:
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def _split_day(value: str) -> tuple[int | None, str]:
    text = str(value)
    return (int(text[:-2]), text[-2:]) if len(text) > 2 else (None, text)


def _weekdays(byday: list[str], setpos: list[int]) -> str:
    parsed = [_split_day(d) for d in byday]
    if setpos and len(setpos) == 1:
        return f"the {ORDINALS.get(int(setpos[0]), str(setpos[0]))} of {joined([DAY_NAMES[d] for _, d in parsed])}" \
            if len(parsed) > 1 else f"the {ORDINALS.get(int(setpos[0]), str(setpos[0]))} {DAY_NAMES[parsed[0][1]]}"
    if all(n is not None for n, _ in parsed) and len({d for _, d in parsed}) == 1:
        return f"the {joined([ORDINALS.get(n, str(n)) for n, _ in parsed])} {DAY_NAMES[parsed[0][1]]}"
    return joined([f"the {ORDINALS.get(n, str(n))} {DAY_NAMES[d]}" if n else DAY_NAMES[d] for n, d in parsed])


def describe_rule(rule_text: str, first_day: str | date | None = None, zone: ZoneInfo | None = None) -> str:
    """The rule in plain words; `zone` turns a UTC UNTIL into the series' own date."""
    try:
        parts = vRecur.from_ical(rule_text.strip().removeprefix("RRULE:"))
        freq = str(parts["FREQ"][0])
    except (ValueError, KeyError, IndexError):
        return "Repeats on a pattern MyGov cannot describe"
    if freq not in UNITS:
        return "Repeats several times a day"
    interval = int((parts.get("INTERVAL") or [1])[0])
    one, many = UNITS[freq]
    words = f"Every {one}" if interval == 1 else f"Every {interval} {many}"
    byday = [str(d) for d in parts.get("BYDAY") or []]
    setpos = [int(p) for p in parts.get("BYSETPOS") or []]
    month_days = [int(d) for d in parts.get("BYMONTHDAY") or []]
    months = [int(m) for m in parts.get("BYMONTH") or []]
    start = date.fromisoformat(first_day) if isinstance(first_day, str) and first_day else first_day
    if freq == "WEEKLY" and byday:
        order = list(DAY_NAMES)
        words += " on " + joined([DAY_NAMES[d] for d in sorted(byday, key=order.index)])
    elif freq == "MONTHLY" and byday:
        words += " on " + _weekdays(byday, setpos)
    elif freq == "MONTHLY" and month_days:
        words += " on day " + joined([str(d) if d > 0 else "last" for d in month_days])
    elif freq == "YEARLY":
        month_names = joined([MONTHS[m - 1] for m in months]) if months else (MONTHS[start.month - 1] if start else "")
        if byday:
            words += f" on {_weekdays(byday, setpos)} of {month_names}"
        elif month_days or start:
            words += f" on {month_names} {joined([str(d) for d in month_days]) if month_days else start.day}"
    if parts.get("COUNT"):
        count = int(parts["COUNT"][0])
        words += ", once" if count == 1 else f", {count} times"
    elif parts.get("UNTIL"):
        until = parts["UNTIL"][0]
        if isinstance(until, datetime):
            until = (until.astimezone(zone) if zone and until.tzinfo else until).date()
        words += f", until {long_date(until)}"
    return words
