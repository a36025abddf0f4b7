"""The citizens' booking form cannot be turned against rooms or people (issue 18, point 3): caps per
client and per address, the first email carries nothing the requester typed, an unconfirmed hold
lapses (released in Exchange through the outbox by a job), and staff bookings are exempt."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from app.extensions import db
from app.jobs.models import ServerJob
from app.jobs.scheduler import execute_run, tick
from app.mail.models import EmailMessage
from app.reservations import services
from app.reservations.models import Reservation
from app.reservations.rules import parse_booking
from app.web.templating import city_zone
from tests.factories import make_employee
from tests.jobs.helpers import drain
from tests.reservations.conftest import IsolatedClient
from tests.reservations.helpers import (
    booking_form, confirm_by_email_link, make_room, next_open_day, submit,
)

ROOM = "rm_LIB_StudyRoomA@auburnal.gov"
SLOTS = [("10:00", "11:00"), ("11:00", "12:00"), ("12:00", "13:00"), ("13:00", "14:00"), ("14:00", "15:00")]


def _client(app, address: str) -> IsolatedClient:
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _limits(app, *, per_client: int = 50, per_address: int = 50, addresses: int = 50) -> None:
    app.config.update(BOOKING_MAX_OPEN_PER_CLIENT=per_client, BOOKING_MAX_OPEN_PER_ADDRESS=per_address,
                      BOOKING_MAX_ADDRESSES_PER_HOUR=addresses)


def _book(client, space, slot: int, email: str):
    start, end = SLOTS[slot]
    return submit(client, space, booking_form(next_open_day(), start, end, requester_email=email))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_one_client_cannot_hold_more_than_the_configured_number_of_requests(app, without_rate_limit):
    _limits(app, per_client=2)
    space, client = make_room(), _client(app, "203.0.113.5")
    assert [_book(client, space, n, f"person{n}@example.org").status_code for n in range(2)] == [303, 303]
    refused = _book(client, space, 2, "person2@example.org")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "2 open requests have already been sent from your connection" in page
    assert 'id="error-requester_email"' in page  # the message sits on the email field
    assert _count(Reservation) == 2 and _count(EmailMessage) == 2
    assert _book(_client(app, "198.51.100.7"), space, 2, "person2@example.org").status_code == 303  # another client

    with app.test_request_context():
        services.cancel_by_citizen(db.session.scalars(select(Reservation).order_by(Reservation.id)).first())
    assert _book(client, space, 3, "person3@example.org").status_code == 303  # a cancelled one no longer counts


def test_one_client_makes_mygov_write_to_at_most_the_configured_number_of_addresses_an_hour(app, without_rate_limit):
    _limits(app, addresses=2)
    space, client = make_room(), _client(app, "203.0.113.5")
    assert _book(client, space, 0, "a@example.org").status_code == 303
    assert _book(client, space, 1, "b@example.org").status_code == 303
    refused = _book(client, space, 2, "c@example.org")
    assert refused.status_code == 429 and "several email addresses" in refused.get_data(as_text=True)
    assert _book(client, space, 3, "A@example.org").status_code == 303  # an address it already wrote to
    recipients = set(db.session.scalars(select(func.lower(EmailMessage.recipient))))
    assert recipients == {"a@example.org", "b@example.org"}


def test_one_address_cannot_hold_more_than_the_configured_number_of_open_requests(app, without_rate_limit):
    _limits(app, per_address=2)
    space = make_room()
    for n, ip in enumerate(("203.0.113.1", "203.0.113.2")):
        assert _book(_client(app, ip), space, n, "victim@example.org").status_code == 303
    refused = _book(_client(app, "203.0.113.3"), space, 2, "Victim@Example.org")
    assert refused.status_code == 429 and "already has 2 open requests" in refused.get_data(as_text=True)
    assert _count(Reservation) == 2


def _run_release_job(now: datetime) -> None:
    job = db.session.scalar(select(ServerJob).where(ServerJob.action == "reservations.release_unconfirmed"))
    if job is None:  # the migration's row; the tests start from empty tables
        job = ServerJob(name="Release unconfirmed bookings", action="reservations.release_unconfirmed",
                        parameters={}, interval_seconds=60)
        db.session.add(job)
    job.next_run_at = now
    db.session.commit()
    assert execute_run(tick(now)[0]).startswith("succeeded")


def test_an_unconfirmed_hold_is_released_in_exchange_by_the_job_and_the_address_gets_nothing_more(
        app, client, exchange):
    app.config["BOOKING_CONFIRM_MINUTES"] = 30
    space = make_room()
    form = booking_form(next_open_day(), requester_name="Buy cheap pills at spam.example",
                        purpose="Visit spam.example now", requester_email="victim@example.org")
    response = submit(client, space, form)
    assert "Confirm your email address by" in client.get(response.headers["Location"]).get_data(as_text=True)
    drain()
    reservation = db.session.scalars(select(Reservation)).one()
    held = reservation.exchange_event_id
    assert held in {e["id"] for e in exchange.control.events(ROOM)}
    first = [str(m) for m in exchange.control.outbound_mail() if "victim@example.org" in str(m)]
    assert len(first) == 1 and "/reservations/confirm/" in first[0]
    assert "spam.example" not in first[0] and "pills" not in first[0]  # nothing the requester typed

    assert timedelta(minutes=29) < reservation.confirm_by - reservation.created_at <= timedelta(minutes=30)
    _run_release_job(datetime.now(timezone.utc))  # not yet
    db.session.expire_all()
    assert reservation.status == "pending"
    reservation.confirm_by = datetime.now(timezone.utc) - timedelta(seconds=1)  # as if 30 minutes had passed
    db.session.commit()
    _run_release_job(datetime.now(timezone.utc) + timedelta(minutes=1))
    drain()
    db.session.expire_all()
    assert reservation.status == "cancelled"
    assert any(e.kind == "cancelled" and "not confirmed" in (e.detail or "") for e in reservation.history)
    assert reservation.exchange_event_id is None and held not in {e["id"] for e in exchange.control.events(ROOM)}
    assert len([m for m in exchange.control.outbound_mail() if "victim@example.org" in str(m)]) == 1


def test_a_confirmed_request_stands_and_gets_its_receipt(app, client, exchange):
    space = make_room()
    submit(client, space, booking_form(next_open_day()))
    drain()
    reservation = db.session.scalars(select(Reservation)).one()
    sent = str(exchange.control.outbound_mail()[0])
    path = "/reservations/confirm/" + sent.split("/reservations/confirm/", 1)[1].split('"')[0].split("\\")[0].split()[0]
    opened = IsolatedClient(app, app.response_class).get(path)  # what a mail scanner following links does
    assert opened.status_code == 200 and "Book club" not in opened.get_data(as_text=True)
    db.session.expire_all()
    assert reservation.email_confirmed_at is None  # opening the link confirms nothing; the button does

    confirm_by_email_link(app, exchange, "ann@example.org")
    db.session.expire_all()
    assert reservation.email_confirmed_at is not None and reservation.confirm_by is None
    templates = db.session.scalars(select(EmailMessage.template).order_by(EmailMessage.id)).all()
    assert templates == ["reservation_confirm_address", "reservation_received"]
    _run_release_job(datetime.now(timezone.utc) + timedelta(days=1))
    db.session.expire_all()
    assert reservation.status == "pending"


def test_bookings_staff_enter_for_a_caller_are_exempt(app, without_rate_limit):
    _limits(app, per_client=1, per_address=1, addresses=1)
    space, clerk = make_room(), make_employee("Desk Clerk")
    with app.test_request_context():
        for start, end in SLOTS[:3]:
            booking, errors = parse_booking(booking_form(next_open_day(), start, end), space, city_zone(app),
                                            datetime.now(timezone.utc))
            assert not errors
            services.submit_reservation(space, booking, services.StaffEntry(clerk))
    reservations = db.session.scalars(select(Reservation)).all()
    assert len(reservations) == 3 and {r.confirm_by for r in reservations} == {None}
    assert reservations[0].history[0].actor_label == "Desk Clerk"
    assert set(db.session.scalars(select(EmailMessage.template))) == {"reservation_received"}
    _run_release_job(datetime.now(timezone.utc) + timedelta(days=1))
    assert {r.status for r in db.session.scalars(select(Reservation))} == {"pending"}
    # ...while a citizen with the same address is now over its cap.
    refused = submit(_client(app, "203.0.113.9"), space, booking_form(next_open_day(), *SLOTS[4]))
    assert refused.status_code == 429
