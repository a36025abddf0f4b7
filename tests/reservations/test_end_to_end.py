"""Reservations end to end: the worker writes to the dev tenant, mail goes out, bounces come back."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.jobs.models import ServerJob
from app.jobs.scheduler import execute_run, tick
from app.mail.models import EmailMessage
from app.reservations import services
from app.reservations.models import Reservation
from tests.factories import make_employee
from tests.jobs.helpers import drain
from tests.reservations.helpers import (
    booking_form,
    confirm_by_email_link,
    make_room,
    next_open_day,
    staff,
    submit,
)

ROOM = "rm_LIB_StudyRoomA@auburnal.gov"


def _room_event_ids(exchange) -> set[str]:
    return {e["id"] for e in exchange.control.events(ROOM)}


def _book_for_an_undeliverable_address_and_read_the_bounces(client) -> None:
    submit(client, make_room(), booking_form(next_open_day(), requester_email="ann@invalid.example"))
    drain()
    db.session.add(ServerJob(name="Bounce reports", action="graph.process_mailbox_ndrs", parameters={},
                             interval_seconds=600, next_run_at=datetime.now(timezone.utc)))
    db.session.commit()
    assert execute_run(tick()[0]).startswith("succeeded")


def test_approve_mails_the_citizen_and_the_history_tells_the_story(app, client, exchange):
    space = make_room()
    submit(client, space, booking_form(next_open_day()))
    drain()
    reservation = db.session.scalars(select(Reservation)).one()
    assert reservation.exchange_event_id in _room_event_ids(exchange)
    with app.test_request_context():
        services.approve(reservation, make_employee("Alex Approver"))
    drain()
    sent = [m for m in exchange.control.outbound_mail() if "ann@example.org" in str(m)]
    assert len(sent) == 2  # received, then approved
    assert any("confirmed" in str(m).lower() for m in sent)
    assert [e.kind for e in reservation.history][:3] == ["submitted", "event_written", "approved"]
    assert {m.send_status for m in db.session.scalars(select(EmailMessage))} == {"sent"}


def test_deny_removes_the_event_and_tells_the_citizen_why(app, client, exchange):
    space = make_room()
    submit(client, space, booking_form(next_open_day()))
    drain()
    reservation = db.session.scalars(select(Reservation)).one()
    event_id = reservation.exchange_event_id
    with app.test_request_context():
        services.deny(reservation, make_employee("Alex Approver"), "The room is closed for repairs that day.")
    drain()
    assert event_id not in _room_event_ids(exchange)
    assert any("closed for repairs" in str(m) for m in exchange.control.outbound_mail())
    assert "event_removed" in [e.kind for e in reservation.history]


def test_cancel_right_after_submit_leaves_no_event(app, client, exchange):
    space = make_room()
    submit(client, space, booking_form(next_open_day()))
    reservation = db.session.scalars(select(Reservation)).one()
    with app.test_request_context():
        services.cancel_by_citizen(reservation)  # before any worker ran
    drain()
    assert not [e for e in exchange.control.events(ROOM) if "MyGov reservation" in (e.get("subject") or "")]


def test_an_undeliverable_address_ends_up_marked_bounced_for_staff(app, client, exchange):
    _book_for_an_undeliverable_address_and_read_the_bounces(client)
    email = db.session.scalars(select(EmailMessage)).one()
    assert email.delivery_status == "bounced" and "ann@invalid.example" in email.bounce_detail
    reservation = db.session.scalars(select(Reservation)).one()
    approver, _ = staff(app, "reservations.approver")
    page = approver.get(f"/staff/reservations/{reservation.id}").get_data(as_text=True)
    assert "could not be delivered" in page
    # The report's HTML becomes text once: escaped once on the page, never "&lt;" shown to staff.
    assert "couldn't be delivered" in email.bounce_detail and "&lt;" not in email.bounce_detail
    assert "&amp;lt;" not in page and "&amp;#x27;" not in page and "couldn&#39;t be delivered" in page


@pytest.mark.redis
def test_with_a_real_worker_the_room_is_blocked_within_seconds_of_submitting(app, client, exchange):
    from tests.jobs.test_worker_processes import workers

    space = make_room()
    with workers(app, exchange_tenant(exchange), "--no-scheduler"):
        time.sleep(2)  # the worker is up and waiting, as in production
        submitted = time.monotonic()
        submit(client, space, booking_form(next_open_day()))
        reservation_id = db.session.scalars(select(Reservation.id)).one()
        event_ids: set[str] = set()
        while time.monotonic() - submitted < 5 and not event_ids:
            db.session.rollback()
            event_id = db.session.get(Reservation, reservation_id).exchange_event_id
            event_ids = {event_id} & _room_event_ids(exchange) if event_id else set()
            time.sleep(0.05)
        elapsed = time.monotonic() - submitted
    assert event_ids, "the blocking event never reached the room calendar"
    assert elapsed < 5  # generous: bench/reservation_submit.py measures it (p95 ~0.1 s)


def exchange_tenant(exchange):
    from tests.graph_tenant import Tenant

    return Tenant(exchange)


def test_the_receipt_email_carries_a_link_that_opens_and_cancels_the_reservation(app, client, exchange):
    import re

    from tests.reservations.conftest import IsolatedClient
    from tests.reservations.helpers import csrf_token

    space = make_room()
    submit(client, space, booking_form(next_open_day()))
    drain()
    confirm_by_email_link(app, exchange, "ann@example.org")
    drain()
    receipt = [str(m) for m in exchange.control.outbound_mail() if "ann@example.org" in str(m)]
    assert len(receipt) == 2  # "please confirm your address", then the receipt
    link = re.search(r"https?://[^\s\"'<>]+/reservations/manage/[^\s\"'<>\\]+", receipt[1])
    assert link, "the receipt has no manage link"
    manage = link.group(0).split("://", 1)[1].split("/", 1)[1]
    stranger = IsolatedClient(app, app.response_class, use_cookies=True)  # no session: only the link
    reservation = db.session.scalars(select(Reservation)).one()
    page = stranger.get("/" + manage).get_data(as_text=True)
    assert reservation.reference in page and "Cancel reservation" in page
    stranger.post("/" + manage + "/cancel", data={"csrf_token": csrf_token(stranger, "/" + manage)})
    drain()
    db.session.expire_all()
    assert reservation.status == "cancelled"
    assert reservation.exchange_event_id not in _room_event_ids(exchange)


def test_the_history_tells_of_each_email_and_its_bounce(app, client, exchange):
    _book_for_an_undeliverable_address_and_read_the_bounces(client)
    reservation = db.session.scalars(select(Reservation)).one()
    viewer, _ = staff(app, "reservations.viewer")
    page = viewer.get(f"/staff/reservations/{reservation.id}").get_data(as_text=True)
    page = page[page.index('class="usa-process-list"'):]
    steps = [page.index(text) for text in ("Submitted", "Blocking event written", "Emailed:", "Email bounced:")]
    assert steps == sorted(steps), "the history is not in the order things happened"
