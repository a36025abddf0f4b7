"""'My reservations' without an account: signed expiring link, asked for by email (rate limited,
the same answer whether or not the address has bookings), or reached from any manage link."""
from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.mail.models import EmailMessage
from app.reservations.links import signed_token
from app.reservations.my_reservations import LINK_DAYS
from app.reservations.models import Reservation
from app.jobs.models import GraphOperation
from tests.reservations.desk_helpers import add_reservation
from tests.reservations.helpers import csrf_token, make_room, next_open_day, page_text

ASK = "/reservations/mine/"


def _ask(client, email: str):  # type: ignore[no-untyped-def]
    return client.post(ASK, data={"email": email, "csrf_token": csrf_token(client, ASK)}, follow_redirects=True)


def _link_in_last_email() -> str:
    operation = db.session.scalars(select(GraphOperation).where(GraphOperation.kind == "send_mail")
                                   .order_by(GraphOperation.id.desc())).first()
    return re.search(r"http://[^\s]+/reservations/mine/[^\s]+", operation.payload["text_body"]).group(0)


def test_email_me_my_links_gives_the_same_answer_and_mails_only_an_address_with_bookings(app, client):
    space = make_room()
    day = next_open_day()
    add_reservation(space, day, name="Ann Citizen", email="Ann@Example.org")
    add_reservation(space, day, "14:00", "15:00", status="cancelled", email="ann@example.org")
    add_reservation(space, day, "16:00", "17:00", name="Someone Else", email="bo@example.org")
    known = page_text(_ask(client, "ann@example.org"))
    unknown = page_text(_ask(client, "nobody@example.org"))
    answer = "If there are reservations under that address, we have emailed it a link to see them all."
    assert answer in known and answer in unknown
    assert known == unknown
    assert db.session.scalars(select(EmailMessage.recipient)).all() == ["ann@example.org"]

    link = _link_in_last_email()
    listing = page_text(client.get(link.split("127.0.0.1:5000", 1)[-1]))
    assert "Every reservation made with ann@example.org" in listing
    assert listing.count("Study Room A, Auburn Public Library") == 2 and "Someone Else" not in listing
    assert "Cancelled" in listing


def test_the_form_names_a_bad_address_and_is_rate_limited_per_address(app, client):
    make_room()
    bad = client.post(ASK, data={"email": "not an address", "csrf_token": csrf_token(client, ASK)})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    for _ in range(3):
        assert _ask(client, "victim@example.org").status_code == 200
    assert _ask(client, "victim@example.org").status_code == 429
    assert _ask(client, "other@example.org").status_code == 200  # another address is not blocked


def test_the_link_expires_and_a_tampered_one_is_refused(app, client):
    space = make_room()
    add_reservation(space, next_open_day())
    _ask(client, "ann@example.org")
    path = "/reservations/mine/" + _link_in_last_email().rsplit("/", 1)[-1]
    assert client.get(path).status_code == 200
    with time_machine.travel(timedelta(days=LINK_DAYS, minutes=1)):
        expired = client.get(path)
    assert expired.status_code == 410 and "Ask for a new link" in page_text(expired)
    assert client.get(path[:-3] + "abc").status_code == 404


def test_every_manage_link_leads_to_all_the_bookings_of_its_address(app, client):
    space = make_room()
    first = add_reservation(space, next_open_day(), email="ann@example.org")
    add_reservation(space, next_open_day(), "13:00", "14:00", email="ann@example.org")
    with app.test_request_context():
        manage = f"/reservations/manage/{signed_token(first)}"
    assert "See all your reservations" in page_text(client.get(manage))
    listing = client.get(f"/reservations/mine/from/{signed_token_in(app, first)}", follow_redirects=True)
    assert page_text(listing).count("Study Room A") == 2


def signed_token_in(app, reservation: Reservation) -> str:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        return signed_token(reservation)


def test_one_visitor_cannot_ask_for_many_addresses(app, client):
    make_room()
    answers = [_ask(client, f"person{n}@example.org").status_code for n in range(6)]
    assert answers == [200] * 5 + [429]
