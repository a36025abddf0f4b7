"""Repeating bookings: each date checked, free dates shown before sending, approval whole or per
date, one Exchange event per date, and a cancelled date leaves the rest."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.mail.models import EmailMessage
from app.reservations import series
from app.reservations.models import Reservation, ReservationSeries
from tests.jobs.helpers import drain
from tests.reservations.desk_helpers import outlook_booking
from tests.reservations.helpers import (
    booking_form, csrf_token, make_room, next_open_day, page_text, space_url, staff,
)

ROOM = "rm_LIB_StudyRoomA@auburnal.gov"


def _weekday_ahead() -> date:
    day = next_open_day()
    while day.isoweekday() != 2:  # a Tuesday: four Tuesdays ahead stay within the booking horizon
        day += timedelta(days=1)
    return day


def _post(client, space, form):  # type: ignore[no-untyped-def]
    path = space_url(space) + "repeat"
    return client.post(path, data={**form, "csrf_token": csrf_token(client, path)})


def test_dates_of_a_weekly_or_monthly_series():
    weekly = series.dates_of(date(2027, 3, 2), series.Repeat("weekly", None, 3))
    assert weekly == [date(2027, 3, 2), date(2027, 3, 9), date(2027, 3, 16)]
    until = series.dates_of(date(2027, 3, 2), series.Repeat("weekly", date(2027, 3, 16), None))
    assert until == weekly
    monthly = series.dates_of(date(2027, 1, 31), series.Repeat("monthly", None, 3))
    assert monthly == [date(2027, 1, 31), date(2027, 3, 31), date(2027, 5, 31)]  # no 31st in Feb or Apr


def test_the_person_sees_which_dates_are_free_then_sends_those(app, client, exchange, without_rate_limit):
    space = make_room()
    first = _weekday_ahead()
    outlook_booking(exchange, ROOM, first + timedelta(days=7), "10:00", "12:00", "Board training")
    form = {**booking_form(first, "10:00", "11:00"), "frequency": "weekly", "count": "4"}
    preview = _post(client, space, form)
    assert preview.status_code == 200
    text = page_text(preview)
    assert "3 of 4 dates are free." in text
    second = (first + timedelta(days=7)).strftime("%A, %B %-d, %Y")
    assert f"{second}: not available. Already booked at that time." in text
    assert db.session.scalars(select(Reservation)).all() == []  # nothing booked by looking

    free = [first + timedelta(days=7 * n) for n in (0, 2, 3)]
    sent = client.post(space_url(space) + "repeat", data={
        **form, "step": "send", "day": [d.isoformat() for d in free[:2]] + [(first + timedelta(days=7)).isoformat()],
        "csrf_token": csrf_token(client, space_url(space) + "repeat")})
    assert sent.status_code == 303
    reservations = db.session.scalars(select(Reservation).order_by(Reservation.start_at)).all()
    assert [r.start_at.date() for r in reservations] == free[:2]  # the taken date was never sent
    the_series = db.session.scalars(select(ReservationSeries)).one()
    assert {r.series_id for r in reservations} == {the_series.id}
    emails = db.session.scalars(select(EmailMessage)).all()
    # One email, not one per date; the citizen's address is not confirmed yet, so it asks for that.
    assert [e.template for e in emails] == ["reservation_confirm_address"]
    assert f"Sent 2 dates as {the_series.reference}" in page_text(client.get(sent.headers["Location"]))
    drain()
    db.session.expire_all()
    events = {e["id"] for e in exchange.control.events(ROOM)}
    assert all(r.exchange_event_id in events for r in reservations)
    assert len({r.exchange_event_id for r in reservations}) == 2  # one event per date


def test_bad_series_answers_are_named(app, client):
    space = make_room()
    form = {**booking_form(_weekday_ahead()), "frequency": "weekly", "count": "1", "until": ""}
    response = _post(client, space, form)
    assert response.status_code == 422 and "Enter a number of times from 2 to 26." in page_text(response)
    both = _post(client, space, {**form, "count": "3", "until": "2027-01-01"})
    assert "Give either a last date or a number of times, not both." in page_text(both)


def test_approve_the_whole_series_or_one_date_and_a_cancelled_date_leaves_the_rest(app, client, exchange,
                                                                                   without_rate_limit):
    space = make_room()
    first = _weekday_ahead()
    form = {**booking_form(first, "10:00", "11:00"), "frequency": "weekly", "count": "3"}
    days = [(first + timedelta(days=7 * n)).isoformat() for n in range(3)]
    client.post(space_url(space) + "repeat", data={**form, "step": "send", "day": days,
                                                   "csrf_token": csrf_token(client, space_url(space) + "repeat")})
    drain()
    one, two, three = db.session.scalars(select(Reservation).order_by(Reservation.start_at)).all()
    approver, _ = staff(app, "reservations.approver")
    page = f"/staff/reservations/{one.id}"
    html = page_text(approver.get(page))
    assert "Repeating booking S-" in html and "Approve all 3 waiting dates" in html
    token = csrf_token(approver, page)
    approver.post(f"/staff/reservations/{two.id}/approve", data={"csrf_token": token})  # one date on its own
    db.session.expire_all()
    assert (one.status, two.status, three.status) == ("pending", "approved", "pending")
    approver.post("/staff/reservations/bulk/confirm", data={
        "csrf_token": token, "decision": "approve", "reservation": [one.id, three.id]})
    db.session.expire_all()
    assert {one.status, two.status, three.status} == {"approved"}

    approver.post(f"/staff/reservations/{two.id}/cancel", data={"csrf_token": token, "reason": "Holiday", "confirmed": "yes"})
    drain()
    db.session.expire_all()
    events = {e["id"] for e in exchange.control.events(ROOM)}
    assert two.status == "cancelled" and two.exchange_event_id is None
    assert one.exchange_event_id in events and three.exchange_event_id in events
    assert (one.status, three.status) == ("approved", "approved")


def test_desk_staff_book_a_series_for_a_citizen_and_it_is_recorded_as_theirs(app, exchange):
    space = make_room()
    desk, employee = staff(app, "reservations.approver", name="Dana Desk")
    assert "repeating booking page" in page_text(desk.get("/staff/bookings/new/"))
    first = _weekday_ahead()
    form = {**booking_form(first, "10:00", "11:00", requester_name="Chess Club"), "frequency": "weekly", "count": "2"}
    path = space_url(space) + "repeat"
    desk.post(path, data={**form, "step": "send", "day": [first.isoformat(), (first + timedelta(days=7)).isoformat()],
                          "csrf_token": csrf_token(desk, path)})
    dates = db.session.scalars(select(Reservation)).all()
    assert len(dates) == 2 and all(r.history[0].actor_id == employee.id for r in dates)
    assert all(r.history[0].detail == "Entered by staff for Chess Club." for r in dates)


def test_dates_and_times_typed_as_the_controls_show_them_are_understood(app, client, exchange):
    """Where the browser shows text boxes, 03/15/2027 and 2:30 PM (as the hints say) work for the
    first date, the last date and the times."""
    space = make_room()
    first = _weekday_ahead()
    form = {**booking_form(first, "10:00", "11:00"), "date": first.strftime("%m/%d/%Y"),
            "start_time": "10:00 AM", "end_time": "11:00 am", "frequency": "weekly",
            "until": (first + timedelta(days=14)).strftime("%m/%d/%Y"), "count": ""}
    preview = _post(client, space, form)
    assert preview.status_code == 200, page_text(preview)
    assert "3 of 3 dates are free." in page_text(preview)
    wrong = _post(client, space, {**form, "until": "next month"})
    assert "Enter the last date as month/day/year" in page_text(wrong)
