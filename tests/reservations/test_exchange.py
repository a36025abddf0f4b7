"""The room's Exchange calendar (the dev tenant over HTTPS) is the truth for availability."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import func, select

from app.extensions import db
from app.graph.calendar import graph_datetime
from app.reservations import services
from app.reservations.availability import space_availability
from app.reservations.models import Reservation
from tests.jobs.helpers import drain
from tests.reservations.helpers import (
    CITY,
    booking_form,
    make_room,
    next_open_day,
    submit,
)

ROOM = "rm_LIB_StudyRoomA@auburnal.gov"


def _outlook_booking(exchange, day, start: time, end: time) -> dict:
    begin, finish = datetime.combine(day, start, CITY), datetime.combine(day, end, CITY)
    return exchange.control.add_event(ROOM, {
        "subject": "Staff training (booked in Outlook)", "showAs": "busy",
        "start": graph_datetime(begin), "end": graph_datetime(finish),
    })


def test_a_slot_booked_in_outlook_a_moment_ago_is_refused_and_nothing_is_written(app, client, exchange):
    space = make_room()
    day = next_open_day()
    _outlook_booking(exchange, day, time(10), time(11))
    response = submit(client, space, booking_form(day, "10:30", "11:30"))
    assert response.status_code == 409
    assert "The room is booked in Outlook at that time" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Reservation)) == 0


def test_availability_merges_outlook_bookings_with_mygov_reservations(app, client, exchange):
    space = make_room()
    day = next_open_day()
    _outlook_booking(exchange, day, time(9), time(12))
    submit(client, space, booking_form(day, "14:00", "15:00"))  # not yet in Exchange: no worker ran
    result = space_availability(space, day, 1, CITY, datetime.now(CITY))
    assert result.exchange_checked is True
    free = [(p.start.astimezone(CITY).time(), p.end.astimezone(CITY).time()) for p in result.days[0].free]
    assert free == [(time(12), time(14)), (time(15), time(20))]


def test_a_submitted_reservation_blocks_the_room_in_exchange_and_cancel_removes_it(app, client, exchange):
    space = make_room()
    day = next_open_day()
    submit(client, space, booking_form(day, "14:00", "15:00"))
    drain()
    reservation = db.session.scalars(select(Reservation)).one()
    events = [e for e in exchange.control.events(ROOM) if e["id"] == reservation.exchange_event_id]
    assert len(events) == 1 and events[0]["showAs"] == "busy"
    event_id = reservation.exchange_event_id
    with app.test_request_context():
        services.cancel_by_citizen(reservation)
    drain()
    assert reservation.status == "cancelled"
    assert event_id not in {e["id"] for e in exchange.control.events(ROOM)}


def test_when_graph_is_down_nobody_can_book_blind(app, client, exchange):
    space = make_room()
    exchange.control.set_faults(throttle_share=1.0, status=503, retry_after=0)
    app.config["GRAPH_MAX_ATTEMPTS"] = 1
    try:
        response = submit(client, space, booking_form(next_open_day()))
    finally:
        app.config["GRAPH_MAX_ATTEMPTS"] = "5"
        exchange.control.clear_faults()
    assert response.status_code >= 400
    assert db.session.scalar(select(func.count()).select_from(Reservation)) == 0


def test_public_pages_may_reuse_free_busy_briefly_but_submitting_asks_exchange_afresh(app, client, exchange):
    space = make_room()
    day = next_open_day()
    space_availability(space, day, 1, CITY, datetime.now(CITY))  # the page view caches free/busy
    _outlook_booking(exchange, day, time(16), time(17))
    cached = space_availability(space, day, 1, CITY, datetime.now(CITY))
    assert any(p.start.astimezone(CITY).time() <= time(16) and p.end.astimezone(CITY).time() >= time(17)
               for p in cached.days[0].free)  # within FREEBUSY_CACHE_SECONDS the page does not know yet
    response = submit(client, space, booking_form(day, "16:00", "17:00"))
    assert "The room is booked in Outlook at that time" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Reservation)) == 0


def test_creates_that_time_out_after_exchange_took_them_leave_one_event_each_and_cancel_leaves_none(
        app, client, exchange):
    """Graph's transactionId de-duplication off; every other create takes effect, then answers 504."""
    exchange.control.update_settings(transaction_id_dedupe=False)
    app.config.update(BOOKING_MAX_OPEN_PER_CLIENT=10, BOOKING_MAX_ADDRESSES_PER_HOUR=10, BOOKING_MAX_OPEN_PER_ADDRESS=10)
    space = make_room()
    day = next_open_day()
    for hour in range(9, 15):
        submit(client, space, booking_form(day, f"{hour:02}:00", f"{hour:02}:45"))
    exchange.control.set_faults(throttle_share=0.5, status=504, retry_after=0, path_prefix=f"/users/{ROOM}/events",
                                applied=True)
    drain()
    exchange.control.clear_faults()
    reservations = db.session.scalars(select(Reservation)).all()
    events = _reservation_events(exchange)
    assert len(events) == len(reservations) == 6
    assert {e["id"] for e in events} == {r.exchange_event_id for r in reservations}
    with app.test_request_context():
        for reservation in reservations:
            services.cancel_by_citizen(reservation)
    drain()
    assert _reservation_events(exchange) == []


def _reservation_events(exchange) -> list[dict]:
    return [e for e in exchange.control.events(ROOM) if (e.get("transactionId") or "").startswith("reservation-")]
