"""A reservation as something to put in one's own calendar: an .ics file and "add to" links.

The .ics is a single VEVENT in UTC (no VTIMEZONE needed); its UID stays the same for the life of
the reservation, so a moved booking's new file replaces the old one in the citizen's calendar
(SEQUENCE counts the moves).
"""
from __future__ import annotations

import base64
from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import current_app
from icalendar import Calendar, Event

from app.reservations.models import Reservation

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
OUTLOOK_COMPOSE = "https://outlook.live.com/calendar/0/deeplink/compose"


def _title(reservation: Reservation) -> str:
    return f"{reservation.space.name} reserved ({reservation.reference})"


def _location(reservation: Reservation) -> str:
    facility = reservation.space.facility
    return ", ".join(part for part in (reservation.space.name, facility.name, facility.address) if part)


def _details(reservation: Reservation, manage_url: str) -> str:
    return f"Reservation {reservation.reference}: {reservation.purpose}\nView or cancel: {manage_url}"


def ics_bytes(reservation: Reservation, manage_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//{current_app.config['CITY_NAME']}//MyGov reservations//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"reservation-{reservation.reference}@{current_app.config['CITY_DOMAIN']}")
    event.add("dtstamp", datetime.now(timezone.utc))
    event.add("sequence", sum(1 for entry in reservation.history if entry.kind == "moved"))
    event.add("dtstart", reservation.start_at.astimezone(timezone.utc))
    event.add("dtend", reservation.end_at.astimezone(timezone.utc))
    event.add("summary", _title(reservation))
    event.add("location", _location(reservation))
    event.add("description", _details(reservation, manage_url))
    event.add("url", manage_url)
    cal.add_component(event)
    return cal.to_ical()


def ics_attachment(reservation: Reservation, manage_url: str) -> dict[str, str]:
    """A Graph fileAttachment: calendar apps open it to add the booking."""
    return {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": f"reservation-{reservation.reference}.ics",
        "contentType": "text/calendar; charset=utf-8; method=PUBLISH",
        "contentBytes": base64.b64encode(ics_bytes(reservation, manage_url)).decode("ascii"),
    }


def _utc_compact(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def google_url(reservation: Reservation, manage_url: str) -> str:
    return GOOGLE_TEMPLATE + "?" + urlencode({
        "action": "TEMPLATE", "text": _title(reservation),
        "dates": f"{_utc_compact(reservation.start_at)}/{_utc_compact(reservation.end_at)}",
        "details": _details(reservation, manage_url), "location": _location(reservation),
    })


def outlook_url(reservation: Reservation, manage_url: str) -> str:
    return OUTLOOK_COMPOSE + "?" + urlencode({
        "path": "/calendar/action/compose", "rru": "addevent", "subject": _title(reservation),
        "startdt": reservation.start_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "enddt": reservation.end_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "body": _details(reservation, manage_url), "location": _location(reservation),
    })


def confirmation_extras(reservation: Reservation, manage_url: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """What a confirmation email adds: the two links for its template, the .ics as attachment."""
    links = {"google_calendar_url": google_url(reservation, manage_url),
             "outlook_calendar_url": outlook_url(reservation, manage_url)}
    return links, [ics_attachment(reservation, manage_url)]
