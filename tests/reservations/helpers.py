"""Rooms and booking forms for the reservation tests."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from app.people.models import Employee
from tests.factories import grant, make_employee, sign_in

CITY = ZoneInfo("America/Chicago")


def make_room(
    mailbox: str | None = "rm_LIB_StudyRoomA@auburnal.gov", *, approval: bool = True, **rules: object
) -> FacilitySpace:
    """A reservable room open 9-20 Monday to Saturday, like the demo city's library rooms."""
    facility = db.session.query(Facility).filter_by(slug="library").one_or_none() or Facility(
        name="Auburn Public Library", slug="library", building_abbreviation="LIB",
        address="749 East Thach Avenue, Auburn, AL 36830",
    )
    config = {
        "open_time": time(9), "close_time": time(20), "open_weekdays": [1, 2, 3, 4, 5, 6],
        "min_duration_minutes": 30, "max_duration_minutes": 240, "lead_time_hours": 2,
        "buffer_minutes": 0, "max_attendees": 20, **rules,
    }
    space = FacilitySpace(
        facility=facility, name="Study Room A", slug="study-room-a", floor="2", capacity=20,
        accessibility_notes="Reached by elevator.", exchange_resource_mailbox=mailbox,
        reservation_config=ReservationConfig(approval_required=approval, **config),
    )
    db.session.add(space)
    db.session.commit()
    return space


def next_open_day(after_days: int = 3) -> date:
    """A Monday-to-Saturday date a few days ahead, in the city's zone."""
    day = datetime.now(CITY).date() + timedelta(days=after_days)
    while day.isoweekday() == 7:
        day += timedelta(days=1)
    return day


def booking_form(day: date, start: str = "10:00", end: str = "11:00", **fields: str) -> dict[str, str]:
    return {
        "date": day.isoformat(), "start_time": start, "end_time": end,
        "requester_name": "Ann Citizen", "requester_email": "ann@example.org",
        "requester_phone": "", "purpose": "Book club", "attendees": "8", **fields,
    }


def space_url(space: FacilitySpace) -> str:
    return f"/reservations/{space.facility.slug}/{space.slug}/"


def csrf_token(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def submit(client: FlaskClient, space: FacilitySpace, form: dict[str, str]):
    token = csrf_token(client, space_url(space))
    return client.post(space_url(space), data={**form, "csrf_token": token})


def staff(app: Flask, *roles: str, name: str = "Pat Staff") -> tuple[FlaskClient, Employee]:
    from tests.reservations.conftest import IsolatedClient

    employee = make_employee(name)
    grant(employee, *roles)
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    sign_in(client, employee)
    return client, employee


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    """What a page says, without its markup, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))


def confirm_by_email_link(app: Flask, exchange, address: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    """Open the confirmation link the dev tenant delivered to `address` and press the button, as the
    citizen would (a client of their own: only the link)."""
    from tests.reservations.conftest import IsolatedClient

    sent = [str(m) for m in exchange.control.outbound_mail() if address in str(m)]
    link = next(re.search(r"https?://[^\s\"'<>]+/reservations/confirm/[^\s\"'<>\\]+", m) for m in sent
                if "/reservations/confirm/" in m)
    path = "/" + link.group(0).split("://", 1)[1].split("/", 1)[1]
    citizen = IsolatedClient(app, app.response_class, use_cookies=True)
    response = citizen.post(path, data={"csrf_token": csrf_token(citizen, path)})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "your email address is confirmed" in citizen.get(response.headers["Location"]).get_data(as_text=True)
    return citizen


def confirm_latest(app: Flask) -> None:
    """The citizen of the newest request confirms their address (confirmation.py): its receipt and
    the approvers' email go out then."""
    from sqlalchemy import select

    from app.reservations import services
    from app.reservations.models import Reservation

    with app.test_request_context():
        services.confirm_address(db.session.scalars(select(Reservation).order_by(Reservation.id.desc())).first())
