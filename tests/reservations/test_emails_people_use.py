"""Emails people can use: a calendar file and "add to" links with the confirmation, a reminder
job, and the cancellation cutoff that says whom to call."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

from icalendar import Calendar
from sqlalchemy import select

from app.extensions import db
from app.jobs.actions import ACTIONS, ParameterError, validate_parameters
from app.jobs.models import GraphOperation, ServerJob
from app.jobs.scheduler import execute_run, tick
from app.mail.models import EmailMessage
from app.reservations.models import Reservation
from tests.jobs.helpers import drain
from tests.reservations.desk_helpers import add_reservation
from tests.reservations.helpers import (
    CITY, booking_form, confirm_latest, csrf_token, make_room, next_open_day, page_text, space_url, submit,
)


def _mail_ops() -> list[GraphOperation]:
    return db.session.scalars(select(GraphOperation).where(GraphOperation.kind == "send_mail")
                              .order_by(GraphOperation.id)).all()


def test_the_confirmation_carries_an_ics_and_add_to_calendar_links(app, client, exchange):
    space = make_room(approval=False)
    day = next_open_day()
    submit(client, space, booking_form(day, "10:00", "11:30"))
    confirm_latest(app)  # the receipt follows the address's confirmation
    reservation = db.session.scalars(select(Reservation)).one()
    message = _mail_ops()[-1].payload["message"]
    (attachment,) = message["attachments"]
    assert attachment["name"] == f"reservation-{reservation.reference}.ics"
    assert attachment["contentType"].startswith("text/calendar")
    event = Calendar.from_ical(base64.b64decode(attachment["contentBytes"])).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime.combine(day, datetime.min.time().replace(hour=10), tzinfo=CITY)
    assert event.decoded("dtend").astimezone(CITY).strftime("%H:%M") == "11:30"
    assert "Study Room A" in str(event["location"]) and "749 East Thach Avenue" in str(event["location"])
    assert str(event["uid"]) == f"reservation-{reservation.reference}@auburnal.gov"

    html = message["body"]["content"]
    google = next(u for u in _links(html) if "calendar.google.com" in u)
    query = parse_qs(urlparse(google).query)
    start_utc = reservation.start_at.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    assert query["dates"][0].startswith(start_utc + "/") and query["action"] == ["TEMPLATE"]
    outlook = next(u for u in _links(html) if "outlook.live.com" in u)
    assert parse_qs(urlparse(outlook).query)["subject"][0].endswith(f"({reservation.reference})")
    assert "Add it to your calendar" in _mail_ops()[-1].payload["text_body"]
    drain()  # the dev tenant takes the message, attachment and all
    sent = [m for m in exchange.control.outbound_mail() if "ann@example.org" in str(m)]
    assert any(f"reservation-{reservation.reference}.ics" in str(m) for m in sent)


def _links(html: str) -> list[str]:
    import html as html_lib
    import re

    return [html_lib.unescape(u) for u in re.findall(r'href="([^"]+)"', html)]


def test_the_receipt_of_a_pending_request_has_no_calendar_file(app, client):
    submit(client, make_room(), booking_form(next_open_day()))
    assert "attachments" not in _mail_ops()[-1].payload["message"]


def test_the_reminder_job_emails_once_within_the_configured_hours(app, client):
    space = make_room()
    soon = datetime.now(CITY) + timedelta(hours=20)
    later = datetime.now(CITY) + timedelta(hours=40)
    due = add_reservation(space, soon.date(), soon.strftime("%H:%M"), (soon + timedelta(minutes=30)).strftime("%H:%M"),
                          name="Soon Person")
    add_reservation(space, later.date(), later.strftime("%H:%M"), (later + timedelta(minutes=30)).strftime("%H:%M"),
                    name="Later Person")
    add_reservation(space, soon.date(), (soon + timedelta(hours=1)).strftime("%H:%M"),
                    (soon + timedelta(hours=1, minutes=30)).strftime("%H:%M"), status="pending", name="Pending Person")
    # As migration 0015 seeds it (tests empty the tables); its hours are edited on the jobs screen.
    db.session.add(ServerJob(name="Reservation reminders", action="reservations.send_reminders",
                             parameters={"hours_before": 24}, interval_seconds=900,
                             next_run_at=datetime.now(timezone.utc)))
    db.session.commit()
    assert execute_run(tick()[0]).startswith("succeeded")
    reminders = db.session.scalars(select(EmailMessage).where(EmailMessage.template == "reservation_reminder")).all()
    assert [m.related_id for m in reminders] == [str(due.id)]
    assert reminders[0].subject.startswith("Reminder: Study Room A, ")
    assert ACTIONS["reservations.send_reminders"].run({"hours_before": 24}) == {"reminded": 0, "hours_before": 24}
    assert ACTIONS["reservations.send_reminders"].run({"hours_before": 48})["reminded"] == 1  # the later one
    try:
        validate_parameters("reservations.send_reminders", {"hours_before": "soon"})
    except ParameterError as error:
        assert error.errors == {"hours_before": "must be a whole number"}
    else:
        raise AssertionError("a word for hours was accepted")


def test_cancelling_after_the_cutoff_is_refused_with_whom_to_call(app, client, exchange):
    space = make_room(lead_time_hours=0)
    space.reservation_config.cancel_cutoff_hours = 48
    space.reservation_config.contact_for_changes = "the library front desk at 334-501-3190"
    db.session.commit()
    near = next_open_day(after_days=1)
    submit(client, space, booking_form(near, "10:00", "11:00"))
    reservation = db.session.scalars(select(Reservation)).one()
    from app.reservations.links import signed_token

    with app.test_request_context():
        page = f"/reservations/manage/{signed_token(reservation)}"
    shown = page_text(client.get(page))
    assert "Online changes closed" in shown and "call the library front desk at 334-501-3190" in shown
    assert "Cancel reservation" not in shown  # no button; a stale page's form is still refused:
    token = csrf_token(client, space_url(space))
    response = client.post(page + "/cancel", data={"csrf_token": token}, follow_redirects=True)
    text = page_text(response)
    assert "can no longer be changed online: changes close 48 hours before the start. Nothing was changed." in text
    assert "call the library front desk at 334-501-3190" in text
    db.session.expire_all()
    assert reservation.status == "pending"
    assert not db.session.scalars(select(GraphOperation).where(GraphOperation.kind == "delete_event")).all()


def test_before_the_cutoff_the_citizen_cancels_and_is_told_until_when(app, client):
    space = make_room()
    space.reservation_config.cancel_cutoff_hours = 24
    db.session.commit()
    submit(client, space, booking_form(next_open_day(after_days=5)))
    reservation = db.session.scalars(select(Reservation)).one()
    from app.reservations.links import signed_token

    with app.test_request_context():
        page = f"/reservations/manage/{signed_token(reservation)}"
    assert "You can cancel online until" in page_text(client.get(page))
    client.post(page + "/cancel", data={"csrf_token": csrf_token(client, page)})
    db.session.expire_all()
    assert reservation.status == "cancelled"
