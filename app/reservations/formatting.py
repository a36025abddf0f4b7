"""Times and durations written the way the pages and emails say them."""
from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from markupsafe import Markup

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def clock_time(value: time) -> str:
    """9:00 AM"""
    return datetime.combine(date(2000, 1, 3), value).strftime("%-I:%M %p")


def duration_words(minutes: int) -> str:
    """1 hour 30 minutes"""
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    return " ".join(parts + ([f"{rest} minutes"] if rest else []))


def weekday_name(iso_weekday: int) -> str:
    return WEEKDAY_NAMES[iso_weekday - 1]


EMAIL_LABELS = {
    "reservation_received": "Receipt confirmation",
    "reservation_approved": "Confirmation",
    "reservation_denied": "Denial notice",
    "reservation_cancelled": "Cancellation notice",
    "reservation_confirm_address": "Request to confirm the email address",
    "reservation_reminder": "Reminder",
    "reservation_moved": "Change notice",
    "reservation_series": "Repeating booking summary",
    "reservation_links": "Link to all their reservations",
    "reservation_waiting": "Request sent to an approver",
    "reservation_digest": "Approvers' digest",
}


def email_label(template: str) -> str:
    return EMAIL_LABELS.get(template, "Email")


def select_options(options: tuple[tuple[str, str], ...], chosen: str | None) -> Markup:
    """<option> elements for (value, label) pairs, the chosen one selected: the form's time lists
    are the same on every view of a room, so they are built once."""
    html = _options_html(options)
    if chosen and (value := f'value="{Markup.escape(chosen)}"') in html:
        html = html.replace(value, f"{value} selected", 1)
    return Markup(html)


@lru_cache(maxsize=256)
def _options_html(options: tuple[tuple[str, str], ...]) -> str:
    return "".join(Markup('<option value="{}">{}</option>').format(value, label) for value, label in options)


def too_late_message(reservation: Any, contact: str | None) -> str:
    """Past the space's cutoff: nothing changed, and whom to call instead."""
    hours = reservation.space.reservation_config.cancel_cutoff_hours
    who = contact or f"{reservation.space.facility.name}"
    return (f"Reservation {reservation.reference} can no longer be changed online: changes close "
            f"{hours} hour{'s' if hours != 1 else ''} before the start. Nothing was changed. "
            f"To cancel or change it now, call {who}.")
