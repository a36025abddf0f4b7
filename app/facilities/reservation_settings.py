"""A space's reservation settings: read the screen's answers, save them audited, and list the bookings
that the rules now leave out (for staff to decide; nothing is cancelled or moved here).

Opening hours are typed per weekday as 24-hour ranges, "9:00-12:00, 13:00-20:00"; empty = closed.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.access.services import audit
from app.extensions import db
from app.facilities.forms import FieldErrors
from app.facilities.models import FacilitySpace, ReservationConfig
from app.people.models import Employee
from app.reservations.formatting import duration_words
from app.reservations.models import ACTIVE_STATUSES, Reservation
from app.reservations.rules import MAX_HORIZON_DAYS, opening_words
from app.sqltypes import utcnow
from app.web.params import whole_number

WEEKDAYS = ((1, "Monday"), (2, "Tuesday"), (3, "Wednesday"), (4, "Thursday"), (5, "Friday"), (6, "Saturday"),
            (7, "Sunday"))
STEPS = (15, 30, 60)
MAX_INSTRUCTIONS = 2000
MAX_CONTACT = 300
RANGE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*(?:-|–|to)\s*(\d{1,2})(?::(\d{2}))?\s*$")
# (field, label, lowest, highest, required)
NUMBERS = (
    ("min_duration_minutes", "Shortest booking", 15, 24 * 60, True),
    ("max_duration_minutes", "Longest booking", 15, 24 * 60, True),
    ("lead_time_hours", "Least notice", 0, 24 * 365, True),
    ("horizon_days", "Furthest ahead", 1, MAX_HORIZON_DAYS, True),
    ("setup_minutes", "Setup time before each booking", 0, 8 * 60, True),
    ("teardown_minutes", "Clearing-up time after each booking", 0, 8 * 60, True),
    ("cancel_cutoff_hours", "Online cancelling and moving end", 0, 24 * 30, False),
    ("capacity", "Capacity", 1, 10000, False),
    ("max_attendees", "Most attendees per booking", 1, 10000, False),
)


SettingsInvalid = FieldErrors  # the name the views use


@dataclass(frozen=True)
class OutsideRules:
    reservation: Reservation
    reasons: list[str]

    @property
    def summary(self) -> str:
        text = "; ".join(self.reasons)
        return text[:1].upper() + text[1:] + "."


def hours_field(weekday: int) -> str:
    return f"hours_{weekday}"


def form_values(space: FacilitySpace) -> dict[str, str]:
    """The screen's answers as they stand (a space never configured shows the defaults)."""
    config = space.reservation_config or ReservationConfig()
    monday = date(2000, 1, 3)
    values = {
        hours_field(n): ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in config.hours_on(monday + timedelta(days=n - 1)))
        for n, _ in WEEKDAYS
    }
    values.update({name: "" if getattr(config, name, None) is None else str(getattr(config, name))
                   for name, *_ in NUMBERS if name != "capacity"})
    values["capacity"] = "" if space.capacity is None else str(space.capacity)
    values["step_minutes"] = str(config.step_minutes)
    values["instructions"] = config.instructions or ""
    values["contact_for_changes"] = config.contact_for_changes or ""
    values["citizen_reservable"] = "y" if space.reservation_config and config.citizen_reservable else ""
    values["approval_required"] = "y" if config.approval_required else ""
    return values


def parse_settings(form: Mapping[str, str]) -> dict[str, Any]:
    """The values to store; raises SettingsInvalid with one message per field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "citizen_reservable": bool(form.get("citizen_reservable")),
        "approval_required": bool(form.get("approval_required")),
    }
    for name, label, lowest, highest, required in NUMBERS:
        raw = (form.get(name) or "").strip().replace(",", "")
        if not raw and not required:
            values[name] = None
        elif (number := whole_number(raw)) is None or not lowest <= number <= highest:
            errors[name] = f"{label}: enter a whole number from {lowest:,} to {highest:,}."
        else:
            values[name] = number
    step_raw = (form.get("step_minutes") or "").strip()
    if step_raw not in {str(step) for step in STEPS}:
        errors["step_minutes"] = "Choose the booking step: 15, 30 or 60 minutes."
    else:
        values["step_minutes"] = int(step_raw)
    instructions = (form.get("instructions") or "").strip()
    if len(instructions) > MAX_INSTRUCTIONS:
        errors["instructions"] = f"Instructions must be {MAX_INSTRUCTIONS:,} characters or fewer."
    values["instructions"] = instructions
    contact = " ".join((form.get("contact_for_changes") or "").split())
    if len(contact) > MAX_CONTACT:
        errors["contact_for_changes"] = f"Whom to call must be {MAX_CONTACT} characters or fewer."
    values["contact_for_changes"] = contact or None
    week: dict[str, list[list[str]]] = {}
    for weekday, name in WEEKDAYS:
        ranges = _day_ranges(form.get(hours_field(weekday)) or "", name, errors, hours_field(weekday))
        if ranges:
            week[str(weekday)] = [[f"{a:%H:%M}", f"{b:%H:%M}"] for a, b in ranges]
    values["weekly_hours"] = week
    _cross_checks(values, errors)
    if errors:
        raise SettingsInvalid(errors)
    return values


def _day_ranges(raw: str, weekday: str, errors: dict[str, str], field: str) -> list[tuple[time, time]]:
    ranges: list[tuple[time, time]] = []
    for part in [p for p in raw.split(",") if p.strip()]:
        match = RANGE.match(part)
        parsed = _range(match) if match else None
        if parsed is None:
            errors[field] = (f"{weekday}: write each opening as a 24-hour range such as 9:00-12:00, separated by "
                             "commas, or leave it empty when closed.")
            return []
        ranges.append(parsed)
    ranges.sort()
    for (_, first_end), (second_start, _) in zip(ranges, ranges[1:]):
        if second_start < first_end:
            errors[field] = f"{weekday}: the openings overlap. Write each stretch of time once."
            return []
    return ranges


def _range(match: re.Match[str]) -> tuple[time, time] | None:
    start_h, start_m, end_h, end_m = (int(g) if g else 0 for g in match.groups())
    if start_h > 23 or end_h > 24 or start_m > 59 or end_m > 59 or (end_h == 24 and end_m):
        return None
    start, end = time(start_h, start_m), time(23, 59) if end_h == 24 else time(end_h, end_m)
    return (start, end) if start < end else None


def _cross_checks(values: dict[str, Any], errors: dict[str, str]) -> None:
    shortest, longest = values.get("min_duration_minutes"), values.get("max_duration_minutes")
    if shortest and longest and longest < shortest:
        errors["max_duration_minutes"] = (f"The longest booking cannot be shorter than the shortest "
                                          f"({duration_words(shortest)}).")
    capacity, most = values.get("capacity"), values.get("max_attendees")
    if capacity and most and most > capacity:
        errors["max_attendees"] = f"The most attendees cannot be more than the capacity ({capacity} people)."
    step = values.get("step_minutes")
    if step and shortest and shortest % step:
        errors["min_duration_minutes"] = f"The shortest booking must be a whole number of {step}-minute steps."
    if values.get("citizen_reservable") and not values.get("weekly_hours"):
        errors[hours_field(1)] = "Citizens can book only when the space opens on at least one day. Enter the hours."


def save_settings(space: FacilitySpace, values: dict[str, Any], actor: Employee) -> None:
    """Store the settings and audit the change; existing bookings are left as they are."""
    config = space.reservation_config
    before = _snapshot(space) if config else {}
    if config is None:
        config = space.reservation_config = ReservationConfig()
    space.capacity = values["capacity"]
    for name, value in values.items():
        if name != "capacity":
            setattr(config, name, value)
    ranges = [time.fromisoformat(v) for day in values["weekly_hours"].values() for pair in day for v in pair]
    if ranges:  # the week's outline, for what reads a single opening (the availability window)
        config.open_time, config.close_time = min(ranges), max(ranges)
    config.open_weekdays = sorted(int(day) for day in values["weekly_hours"])
    db.session.flush()
    audit(actor, "facilities.reservation_settings", "facility_space", space.id, before, _snapshot(space))
    db.session.commit()


def _snapshot(space: FacilitySpace) -> dict[str, Any]:
    config = space.reservation_config
    assert config is not None
    names = ["citizen_reservable", "approval_required", "weekly_hours", "step_minutes", "instructions",
             "contact_for_changes",
             *(name for name, *_ in NUMBERS if name != "capacity")]
    return {"capacity": space.capacity, **{name: getattr(config, name) for name in names}}


def outside_rules(space: FacilitySpace, zone: ZoneInfo) -> list[OutsideRules]:
    """Active bookings still to come that the current rules would refuse, with why (in staff's words)."""
    config = space.reservation_config
    if config is None:
        return []
    found = []
    for reservation in db.session.scalars(select(Reservation).where(
            Reservation.space_id == space.id, Reservation.status.in_(ACTIVE_STATUSES),
            Reservation.end_at > utcnow()).order_by(Reservation.start_at)):
        reasons = _reasons(reservation, config, space, zone)
        if reasons:
            found.append(OutsideRules(reservation, reasons))
    return found


def _reasons(reservation: Reservation, config: ReservationConfig, space: FacilitySpace, zone: ZoneInfo) -> list[str]:
    start, end = reservation.start_at.astimezone(zone), reservation.end_at.astimezone(zone)
    ranges = config.hours_on(start.date())
    reasons = []
    if not ranges:
        reasons.append(f"the space is now closed on {start:%A}s")
    elif start.date() != end.date() or not any(a <= start.time() and end.time() <= b for a, b in ranges):
        reasons.append(f"outside the hours on {start:%A}s ({opening_words(ranges)})")
    minutes = int((reservation.end_at - reservation.start_at).total_seconds() // 60)
    if minutes > config.max_duration_minutes:
        reasons.append(f"longer than {duration_words(config.max_duration_minutes)}")
    elif minutes < config.min_duration_minutes:
        reasons.append(f"shorter than {duration_words(config.min_duration_minutes)}")
    limits = [n for n in (space.capacity, config.max_attendees) if n]
    if limits and reservation.attendees > min(limits):
        reasons.append(f"{reservation.attendees} people, more than the {min(limits)} now allowed")
    return reasons
