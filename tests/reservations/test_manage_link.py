"""The citizen's signed link: view and cancel without an account; tampered or old links explain."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.jobs.models import GraphOperation
from app.reservations.links import MAX_AGE_SECONDS
from app.reservations.models import Reservation
from tests.reservations.helpers import (
    booking_form,
    csrf_token,
    make_room,
    next_open_day,
    submit,
)


def _book(client) -> tuple[Reservation, str]:
    response = submit(client, make_room(), booking_form(next_open_day()))
    manage = response.headers["Location"].removesuffix("/received")
    return db.session.scalars(select(Reservation)).one(), manage


def test_the_link_shows_the_reservation_and_cancels_it(app, client):
    reservation, manage = _book(client)
    page = client.get(manage).get_data(as_text=True)
    assert reservation.reference in page and "Waiting for approval" in page
    cancel = client.post(manage + "/cancel", data={"csrf_token": csrf_token(client, manage)})
    assert cancel.status_code == 303
    db.session.expire_all()
    assert reservation.status == "cancelled"
    assert [e.kind for e in reservation.history] == ["submitted", "cancelled"]
    delete = db.session.scalars(select(GraphOperation).where(GraphOperation.kind == "delete_event")).one()
    assert delete.target_id == str(reservation.id)
    after = client.get(cancel.headers["Location"]).get_data(as_text=True)
    assert "is cancelled. The time is free again." in after and "Cancel reservation" not in after


def test_cancelling_twice_changes_nothing_the_second_time(app, client):
    reservation, manage = _book(client)
    token = csrf_token(client, manage)
    client.post(manage + "/cancel", data={"csrf_token": token})
    again = client.post(manage + "/cancel", data={"csrf_token": token}, follow_redirects=True)
    assert "is already cancelled" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(GraphOperation).where(GraphOperation.kind == "delete_event")).all()) == 1


def test_a_tampered_link_gets_a_clear_page(app, client):
    _, manage = _book(client)
    response = client.get(manage[:-3] + "xyz")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)
    assert client.get("/reservations/manage/1").status_code == 404


def test_an_old_link_has_expired(app, client):
    _, manage = _book(client)
    with time_machine.travel(timedelta(seconds=MAX_AGE_SECONDS + 60)):
        response = client.get(manage)
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)
