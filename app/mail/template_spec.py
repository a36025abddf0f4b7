"""What a mail template declares: its variables and a realistic example (shared by the catalogues)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any


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


RESERVATION_VARIABLES = (
    Variable("requester_name", "the name the citizen gave"),
    Variable("reference", "the reservation's reference, such as R-7KQ2M9XD", required=True),
    Variable("space_name", "the room"),
    Variable("facility_name", "the building"),
    Variable("facility_address", "the building's street address"),
    Variable("when", "the day and time, in the city's time zone"),
    Variable("starts", "the day and start time, short, such as Thursday, March 12 at 6:00 PM"),
    Variable("details", "reference, room and time, one per line"),
)
MANAGE_URL = Variable("manage_url", "the citizen's link to view or cancel", required=True)
REASON = Variable("reason", "the reason staff gave")

EXAMPLE_START = datetime(2026, 3, 12, 23, 0, tzinfo=timezone.utc)
RESERVATION_EXAMPLE: dict[str, Any] = {
    "reference": "R-7KQ2M9XD", "requester_name": "Dana Whitfield", "space_name": "Program Room",
    "facility_name": "Auburn Public Library", "facility_address": "749 E Thach Ave, Auburn, AL 36830",
    "start_at": EXAMPLE_START, "end_at": EXAMPLE_START + timedelta(hours=2),
    "reason": None, "manage_url": "https://www.auburnal.gov/reservations/manage/example-link",
}

