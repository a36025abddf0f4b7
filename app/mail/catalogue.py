"""Every mail template MyGov sends: what it is for, the variables it offers, a realistic example.

The files under templates/mail/ are each template's original wording. An admin may replace the
subject and text of a template with their own (MailTemplateVersion); that wording is plain text
with `{{ variable }}` placeholders, checked against the variables declared here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app


@dataclass(frozen=True)
class Variable:
    name: str
    meaning: str
    required: bool = False


@dataclass(frozen=True)
class MailTemplate:
    name: str
    label: str
    purpose: str
    variables: tuple[Variable, ...]
    subject: str  # the original wording, in the editable form
    body: str
    example: dict[str, Any] = field(default_factory=dict)

    def variable_names(self) -> set[str]:
        return {v.name for v in self.variables}

    def required_names(self) -> set[str]:
        return {v.name for v in self.variables if v.required}


_RESERVATION_VARIABLES = (
    Variable("requester_name", "the name the citizen gave"),
    Variable("reference", "the reservation's reference, such as R-7KQ2M9XD", required=True),
    Variable("space_name", "the room"),
    Variable("facility_name", "the building"),
    Variable("facility_address", "the building's street address"),
    Variable("when", "the day and time, in the city's time zone"),
    Variable("details", "reference, room and time, one per line"),
)
_MANAGE = Variable("manage_url", "the citizen's link to view or cancel", required=True)
_REASON = Variable("reason", "the reason staff gave")

_EXAMPLE_START = datetime(2026, 3, 12, 23, 0, tzinfo=timezone.utc)
_RESERVATION_EXAMPLE: dict[str, Any] = {
    "reference": "R-7KQ2M9XD", "requester_name": "Dana Whitfield", "space_name": "Program Room",
    "facility_name": "Auburn Public Library", "facility_address": "749 E Thach Ave, Auburn, AL 36830",
    "start_at": _EXAMPLE_START, "end_at": _EXAMPLE_START + timedelta(hours=2),
    "reason": None, "manage_url": "https://www.auburnal.gov/reservations/manage/example-link",
}

TEMPLATES: dict[str, MailTemplate] = {t.name: t for t in (
    MailTemplate(
        "reservation_received", "Reservation request received",
        "Sent to a citizen as soon as they ask for a room that needs approval.",
        (*_RESERVATION_VARIABLES, _MANAGE),
        "We received your reservation request {{ reference }}",
        "Hello {{ requester_name }},\n\nWe received your request to reserve {{ space_name }}. The time is held "
        "for you while staff review the request. You will get another email when they decide.\n\n{{ details }}"
        "\n\nTo view or cancel your request, open this link:\n{{ manage_url }}",
        _RESERVATION_EXAMPLE,
    ),
    MailTemplate(
        "reservation_approved", "Reservation confirmed",
        "Sent when staff approve a request, or at once for a room that needs no approval.",
        (*_RESERVATION_VARIABLES, _MANAGE),
        "Your reservation {{ reference }} is confirmed",
        "Hello {{ requester_name }},\n\nYour reservation of {{ space_name }} is confirmed.\n\n{{ details }}\n\n"
        "If your plans change, please cancel so others can use the room:\n{{ manage_url }}",
        _RESERVATION_EXAMPLE,
    ),
    MailTemplate(
        "reservation_denied", "Reservation not approved",
        "Sent when staff deny a request, with the reason they gave.",
        (*_RESERVATION_VARIABLES, Variable("reason", "the reason staff gave", required=True)),
        "Your reservation request {{ reference }} was not approved",
        "Hello {{ requester_name }},\n\nWe are sorry: your request to reserve {{ space_name }} was not approved, "
        "and the time is no longer held for you.\n\nReason: {{ reason }}\n\n{{ details }}",
        {**_RESERVATION_EXAMPLE, "reason": "The room is closed that evening for floor cleaning."},
    ),
    MailTemplate(
        "reservation_cancelled", "Reservation cancelled",
        "Sent when the citizen cancels with their link, or staff cancel a reservation.",
        (*_RESERVATION_VARIABLES, _REASON,
         Variable("cancelled_by", "who cancelled: “As you asked, we” or “Staff”")),
        "Your reservation {{ reference }} is cancelled",
        "Hello {{ requester_name }},\n\n{{ cancelled_by }} cancelled your reservation of {{ space_name }}."
        "\n\n{{ details }}",
        {**_RESERVATION_EXAMPLE, "by_citizen": True},
    ),
    MailTemplate(
        "notice", "Notice from a server job",
        "A short message a scheduled server job sends (action “Send a templated message”).",
        (Variable("title", "the subject the job gives", required=True),
         Variable("message", "the job's message", required=True), Variable("reference", "a reference, if any")),
        "{{ title }}",
        "{{ message }}",
        {"title": "Library closed Monday for the holiday",
         "message": "The Auburn Public Library is closed on Monday, January 19. Book drops stay open.",
         "reference": "N-2026-01"},
    ),
)}


def template_values(context: dict[str, Any]) -> dict[str, str]:
    """The context as the placeholders show it: instants in the city's time zone, derived lines added."""
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    values = {k: "" if v is None else str(v) for k, v in context.items() if not isinstance(v, datetime)}
    start, end = context.get("start_at"), context.get("end_at")
    if isinstance(start, datetime) and isinstance(end, datetime):
        start, end = start.astimezone(zone), end.astimezone(zone)
        label = f"{zone.key.replace('_', ' ')} time"
        values["when"] = f"{start:%A, %B %-d, %Y at %-I:%M %p} to {end:%-I:%M %p} ({label})"
        values["details"] = (f"Reference: {values.get('reference', '')}\n"
                             f"Room: {values.get('space_name', '')}, {values.get('facility_name', '')}, "
                             f"{values.get('facility_address', '')}\nWhen: {values['when']}")
    if "by_citizen" in context:
        values["cancelled_by"] = "As you asked, we" if context["by_citizen"] else "Staff"
    return values
