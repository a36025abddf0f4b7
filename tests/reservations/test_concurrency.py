"""Twenty citizens submit the same slot at the same instant: exactly one reservation is written."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.models import GraphOperation
from app.mail.models import EmailMessage
from app.reservations import services
from app.reservations.models import Reservation
from tests.reservations.helpers import (
    booking_form,
    csrf_token,
    make_room,
    next_open_day,
    space_url,
)

SUBMITTERS = 20


def _race(app, space, forms: list[dict[str, str]]) -> list[int]:
    """Each form from its own client and thread, released together; returns the status codes."""
    url = space_url(space)
    start = threading.Barrier(len(forms))

    def submit(n: int) -> int:
        client = app.test_client()  # in its own thread, so with its own app context
        token = csrf_token(client, url)
        start.wait()
        return client.post(url, data={**forms[n], "csrf_token": token}).status_code

    with ThreadPoolExecutor(len(forms)) as pool:
        return list(pool.map(submit, range(len(forms))))


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _assert_one_winner(statuses: list[int]) -> None:
    assert sorted(statuses) == [303] + [409] * (len(statuses) - 1), statuses
    assert _count(Reservation) == 1
    assert _count(GraphOperation) == 2  # the winner's create_event and its email, nothing else
    assert _count(EmailMessage) == 1


def test_the_same_slot_submitted_twenty_times_at_once_books_once(app, without_rate_limit):
    space = make_room()
    day = next_open_day()
    _assert_one_winner(_race(app, space, [booking_form(day)] * SUBMITTERS))


def test_overlapping_slots_inside_the_buffer_book_once(app, without_rate_limit):
    space = make_room(buffer_minutes=30)
    day = next_open_day()
    forms = [booking_form(day, "10:00", "11:00"), booking_form(day, "11:15", "12:15")] * 5
    _assert_one_winner(_race(app, space, forms))


@pytest.mark.postgres
def test_the_exclusion_constraint_alone_refuses_the_losers(app, without_rate_limit, monkeypatch):
    """Without the row lock every submission races to INSERT; PostgreSQL's constraint decides."""
    monkeypatch.setattr(services, "lock_space_for_booking", lambda space_id: None)
    space = make_room()
    _assert_one_winner(_race(app, space, [booking_form(next_open_day())] * SUBMITTERS))
