"""Repeating bookings: weekly or monthly, until a date or a number of times.

Each date is checked on its own (the room's rules, MyGov's bookings, Exchange's busy time); the
person sees which dates are free before sending and sends the free ones. Each date becomes a
reservation of its own with its own Exchange event (one event per date, not a recurring event
with exceptions: README, "Repeating bookings"), so approving, denying, moving or cancelling one
date is the same operation as for any booking and leaves the other dates as they are.
"""
from __future__ import annotations

import secrets
from itertools import islice
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule
from flask import current_app

from app.extensions import db
from app.facilities.models import FacilitySpace
from app.mail.services import send_template
from app.reservations import approvers, confirmation, exchange
from app.reservations.availability import Interval, exchange_busy, first_conflict, mygov_busy
from app.reservations.links import manage_url
from app.reservations.models import Reservation, ReservationSeries
from app.reservations.rules import BookingRequest, parse_booking, parse_date
from app.reservations.services import REFERENCE_ALPHABET, SlotTaken, StaffEntry, submit_reservation
from app.web.templating import city_zone
from app.sqltypes import utcnow
from app.web.params import date_window, whole_number, window_message

FREQUENCIES = {"weekly": "Every week", "monthly": "Every month, on the same date"}
MAX_DATES = 26
DATE_FIELDS = ("date", "start_time", "end_time")


@dataclass(frozen=True)
class Repeat:
    frequency: str
    until: date | None
    count: int | None


def parse_repeat(form: Mapping[str, str]) -> tuple[Repeat | None, dict[str, str]]:
    errors: dict[str, str] = {}
    frequency = form.get("frequency", "")
    if frequency not in FREQUENCIES:
        errors["frequency"] = "Choose how often it repeats."
    until_raw, count_raw = form.get("until", "").strip(), form.get("count", "").strip()
    until = count = None
    if until_raw and count_raw:
        errors["until"] = "Give either a last date or a number of times, not both."
    elif until_raw:
        try:
            until = parse_date(until_raw)
        except ValueError:
            errors["until"] = "Enter the last date as month/day/year, for example 03/15/2027."
        if until is not None and not date_window(date.today())[0] <= until <= date_window(date.today())[1]:
            errors["until"], until = window_message(date.today()), None
    elif count_raw:
        if not 2 <= (whole_number(count_raw) or 0) <= MAX_DATES:
            errors["count"] = f"Enter a number of times from 2 to {MAX_DATES}."
        else:
            count = whole_number(count_raw)
    else:
        errors["until"] = "Give a last date, or the number of times below."
    return (Repeat(frequency, until, count) if not errors else None), errors


def dates_of(first: date, repeat: Repeat) -> list[date]:
    """The dates the series asks for (a monthly series on the 31st skips shorter months, as
    calendars do), at most MAX_DATES."""
    until = datetime.combine(repeat.until, time(23, 59)) if repeat.until else None
    rule = rrule(WEEKLY if repeat.frequency == "weekly" else MONTHLY, dtstart=datetime.combine(first, time(0)),
                 until=until, count=None if until else repeat.count)
    return [moment.date() for moment in islice(rule, MAX_DATES)]


@dataclass(frozen=True)
class DateCheck:
    day: date
    booking: BookingRequest | None
    problem: str | None  # in words; None when the date is free

    @property
    def free(self) -> bool:
        return self.problem is None


def check_dates(space: FacilitySpace, form: Mapping[str, str], days: list[date], zone: ZoneInfo,
                now: datetime) -> list[DateCheck]:
    """Each date against the room's rules and its bookings (Exchange's answer may be a little old
    here; sending checks again)."""
    config = space.reservation_config
    assert config is not None
    max_age = int(current_app.config["FREEBUSY_CACHE_SECONDS"])
    checks = []
    for day in days:
        booking, errors = parse_booking({**form, "date": day.isoformat()}, space, zone, now)
        if booking is None:
            checks.append(DateCheck(day, None, next(iter(errors.values()), "This date cannot be booked.")))
            continue
        requested = Interval(booking.start_at, booking.end_at)
        margin = timedelta(minutes=config.buffer_minutes)
        busy = mygov_busy(space, requested.start - margin, requested.end + margin)
        try:
            busy += exchange_busy(space, requested.start - margin, requested.end + margin, max_age=max_age)
        except exchange.ExchangeUnavailable:
            pass  # sending asks Exchange again and refuses what it cannot check
        taken = first_conflict(requested, busy, config.buffer_minutes)
        checks.append(DateCheck(day, booking, "Already booked at that time." if taken else None))
    return checks


def _new_reference() -> str:
    return "S-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class SeriesResult:
    series: ReservationSeries
    booked: list[Reservation]
    refused: list[tuple[date, str]]


def send(space: FacilitySpace, repeat: Repeat, checks: list[DateCheck], chosen: set[date],
         entry: StaffEntry | None = None, client_key: str | None = None) -> SeriesResult:
    """Book the chosen free dates, each checked again; one email to the person and to approvers.

    `entry`: a staff member booking the series for a citizen (recorded on each date and audited).
    """
    first = next((c.booking for c in checks if c.day in chosen and c.booking is not None), None)
    if entry is None and first is not None:  # a citizen's series counts once against the caps
        confirmation.check_limits(first.requester_email, client_key, utcnow())
    series = ReservationSeries(reference=_new_reference(), frequency=repeat.frequency)
    db.session.add(series)
    db.session.commit()
    booked: list[Reservation] = []
    refused: list[tuple[date, str]] = []
    for check in checks:
        if check.day not in chosen or check.booking is None:
            continue
        try:
            booked.append(submit_reservation(space, check.booking, entry, series=series, client_key=client_key))
        except SlotTaken:
            refused.append((check.day, "Taken a moment ago."))
        except exchange.ExchangeUnavailable:
            refused.append((check.day, "The room's calendar could not be checked; not booked."))
    if booked:
        _tell(series, booked, refused)
        db.session.commit()
    return SeriesResult(series, booked, refused)


def _tell(series: ReservationSeries, booked: list[Reservation], refused: list[tuple[date, str]]) -> None:
    first = booked[0]
    if first.confirm_by is not None:  # a citizen's address not yet confirmed: that email first, nothing typed in it
        confirmation.ask_to_confirm(first)
        return
    approved = first.status == "approved"
    zone = city_zone(current_app)
    send_template(
        "reservation_series", recipient=first.requester_email, recipient_name=first.requester_name,
        context={"requester_name": first.requester_name, "series_reference": series.reference,
                 "space_name": first.space.name, "facility_name": first.space.facility.name,
                 "approved": approved, "frequency": FREQUENCIES[series.frequency].lower(),
                 "dates": [{"reference": r.reference, "manage_url": manage_url(r),
                            "when": f"{r.start_at.astimezone(zone):%A, %B %-d, %Y, %-I:%M %p} to "
                                    f"{r.end_at.astimezone(zone):%-I:%M %p}"} for r in booked],
                 "refused": [day.strftime("%A, %B %-d, %Y") for day, _ in refused]},
        related_type="reservation", related_id=first.id,
    )
    if not approved:
        approvers.tell_about_new_request(first)
