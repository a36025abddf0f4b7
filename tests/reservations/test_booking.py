"""Citizen booking over HTTP: validation, the transaction that holds the slot, and refusals."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.jobs.models import GraphOperation
from app.mail.models import EmailMessage
from app.reservations.models import Reservation
from tests.reservations.helpers import (
    booking_form,
    csrf_token,
    make_room,
    next_open_day,
    page_text,
    space_url,
    submit,
)


def test_submitting_holds_the_slot_and_queues_the_blocking_event_and_the_email(app, client):
    space = make_room(buffer_minutes=15)
    day = next_open_day()
    response = submit(client, space, booking_form(day))
    assert response.status_code == 303

    reservation = db.session.scalars(select(Reservation)).one()
    assert reservation.status == "pending" and re.fullmatch(r"R-[2-9A-HJ-NP-Z]{8}", reservation.reference)
    assert [event.kind for event in reservation.history] == ["submitted"]
    create, mail = db.session.scalars(select(GraphOperation).order_by(GraphOperation.id)).all()
    assert create.kind == "create_event" and create.target_id == str(reservation.id)
    assert create.idempotency_key == f"reservation-{reservation.reference}-create"
    event = create.payload["event"]
    assert create.payload["mailbox"] == "rm_LIB_StudyRoomA@auburnal.gov"
    assert event["showAs"] == "busy" and event["transactionId"] == create.idempotency_key
    assert event["start"] == {"dateTime": reservation.start_at.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}
    assert mail.kind == "send_mail"
    email = db.session.scalars(select(EmailMessage)).one()
    # The first email asks the citizen to confirm their address; the receipt follows (test_spam_limits.py).
    assert email.template == "reservation_confirm_address" and email.recipient == "ann@example.org"

    confirmation = client.get(response.headers["Location"])
    html = confirmation.get_data(as_text=True)
    assert "We received your request" in html and reservation.reference in html
    assert str(reservation.id) not in response.headers["Location"].split("/")  # no guessable id


def test_a_space_without_approval_confirms_at_once(app, client):
    space = make_room(approval=False)
    response = submit(client, space, booking_form(next_open_day()))
    reservation = db.session.scalars(select(Reservation)).one()
    assert reservation.status == "approved"
    assert [e.kind for e in reservation.history] == ["submitted", "approved"]
    assert db.session.scalars(select(EmailMessage.template)).one() == "reservation_confirm_address"
    assert "Your reservation is confirmed" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_invalid_answers_are_tied_to_their_fields_and_nothing_is_written(app, client):
    space = make_room()
    form = booking_form(next_open_day(), end_time="09:00", requester_email="nope", attendees="500")
    response = submit(client, space, form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was sent: 3 answers need attention" in html
    for field in ("end_time", "requester_email", "attendees"):
        assert f'href="#field-{field}"' in html
        assert re.search(rf'id="field-{field}"[^>]*aria-describedby="error-{field}', html, re.S), field
    assert 'value="Book club"' not in html and ">Book club</textarea>" in html  # answers kept
    start_list = html.split('id="field-start_time"')[1].split("</select>")[0]
    end_list = html.split('id="field-end_time"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([\d:]+)" selected>', start_list) == [form["start_time"]]
    assert re.findall(r'<option value="([\d:]+)" selected>', end_list) == ["09:00"]  # the times kept too
    assert db.session.scalars(select(Reservation)).all() == []
    assert db.session.scalars(select(GraphOperation)).all() == []


def test_a_taken_slot_is_refused_and_nothing_is_written(app, client):
    space = make_room(buffer_minutes=30)
    day = next_open_day()
    assert submit(client, space, booking_form(day, "10:00", "11:00")).status_code == 303
    refused = submit(client, space, booking_form(day, "11:15", "12:00", requester_email="bo@example.org"))
    assert refused.status_code == 409
    assert "too close to another booking: the room needs time to set up" in page_text(refused)
    assert len(db.session.scalars(select(Reservation)).all()) == 1
    assert len(db.session.scalars(select(GraphOperation)).all()) == 2


def test_the_form_needs_its_csrf_token(app, client):
    space = make_room()
    client.get(space_url(space))
    assert client.post(space_url(space), data=booking_form(next_open_day())).status_code == 400
    assert db.session.scalars(select(Reservation)).all() == []


def test_submissions_are_rate_limited_per_client(app, client):
    space = make_room()
    token = csrf_token(client, space_url(space))
    statuses = [
        client.post(space_url(space), data={**booking_form(next_open_day(), attendees="x"), "csrf_token": token}).status_code
        for _ in range(11)
    ]
    assert statuses == [422] * 10 + [429]
    other = type(client)(app, app.response_class, use_cookies=True)
    other_token = csrf_token(other, space_url(space))
    other_status = other.post(
        space_url(space), data={**booking_form(next_open_day()), "csrf_token": other_token},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    ).status_code
    assert other_status == 303


def test_unknown_or_unreservable_spaces_are_not_found(app, client):
    space = make_room(mailbox=None)
    assert client.get(space_url(space)).status_code == 404
    assert client.get("/reservations/library/no-such-room/").status_code == 404


def test_the_date_hint_gives_an_open_day_as_the_date_control_shows_it(app, client):
    import re
    from datetime import datetime as moment

    from tests.reservations.helpers import make_room, space_url

    space = make_room()
    html = client.get(space_url(space)).get_data(as_text=True)
    example = re.search(r"For example (\d\d/\d\d/\d{4}) \((\w+), ", html)
    day = moment.strptime(example.group(1), "%m/%d/%Y").date()
    assert day.isoweekday() in space.reservation_config.open_weekdays and example.group(2) == day.strftime("%A")
    assert "usa-legend--large" not in html  # section legends are not larger than the heading above them
