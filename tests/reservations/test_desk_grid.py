"""The booking desk's grid: rooms by hour (day) or by day (week), MyGov's own events told apart
from Outlook's by Exchange event id."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.reservations import desk_grid
from app.reservations.models import Reservation
from tests.jobs.helpers import drain
from tests.reservations.desk_helpers import add_reservation, outlook_booking
from tests.reservations.helpers import booking_form, make_room, next_open_day, page_text, staff, submit


def test_day_grid_shows_reservations_and_outlook_only_time_told_apart_by_event_id(app, client, exchange):
    space = make_room()
    day = next_open_day()
    submit(client, space, booking_form(day, "10:00", "11:30"))
    drain()
    reservation = db.session.scalars(select(Reservation)).one()
    assert reservation.exchange_event_id in {e["id"] for e in exchange.control.events(space.exchange_resource_mailbox)}
    # A real Outlook booking at exactly the reservation's time is still shown: never matched by time.
    outlook_booking(exchange, space.exchange_resource_mailbox, day, "10:00", "11:30", "Staff meeting")
    outlook_booking(exchange, space.exchange_resource_mailbox, day, "15:00", "16:00", "Board training")
    viewer, _ = staff(app, "reservations.viewer")
    html = viewer.get(f"/staff/bookings/grid?facility={space.facility_id}&date={day}").get_data(as_text=True)
    text = page_text_of(html)
    assert f"{space.facility.name}: {day.strftime('%A, %B %-d, %Y')}" in text
    assert text.count(f"Reservation · Waiting for approval") == 2  # grid and narrow list
    assert text.count("Staff meeting") == 2 and text.count("Board training") == 2
    assert text.count("Busy in Outlook 10:00 AM to 11:30 AM") == 2
    assert "MyGov reservation" not in text  # our own event is not shown again as Outlook busy time
    # 10:00 to 11:30 covers the 10 and 11 o'clock columns: one cell spanning both.
    assert 'colspan="2"' in html and '<th scope="row">Study Room A</th>' in html
    assert '<th scope="col">9 AM</th>' in html and '<th scope="col">7 PM</th>' in html


def page_text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_week_grid_puts_each_booking_under_its_day_and_marks_today(app, exchange):
    space = make_room()
    day = next_open_day()
    add_reservation(space, day, name="Wanda Week")
    add_reservation(space, day + timedelta(days=7), name="Next Week")
    add_reservation(space, day, "12:00", "13:00", status="cancelled", name="Cancelled Person")
    viewer, _ = staff(app, "reservations.viewer")
    html = viewer.get(f"/staff/bookings/grid?view=week&date={day}").get_data(as_text=True)
    monday = day - timedelta(days=day.weekday())
    assert f"Week of {monday.strftime('%A, %B %-d, %Y')}" in html
    # the screen reader's announcement reads as a sentence, not "Showing Week of ..."
    assert f"Showing the week of {monday.strftime('%A, %B %-d, %Y')}." in html
    assert "Wanda Week" in html and "Next Week" not in html and "Cancelled Person" not in html
    assert html.count('<th scope="col"') == 8  # the room column and seven days
    following = viewer.get(f"/staff/bookings/grid?view=week&date={monday + timedelta(days=7)}").get_data(as_text=True)
    assert "Next Week" in following
    today = viewer.get("/staff/bookings/grid?view=week").get_data(as_text=True)
    assert 'aria-current="date"' in today and "(today)" in today


def test_an_unreadable_outlook_calendar_is_said_not_hidden(app, exchange):
    space = make_room(mailbox="rm_LIB_Nowhere@auburnal.gov")
    add_reservation(space, next_open_day())
    viewer, _ = staff(app, "reservations.viewer")
    html = viewer.get(f"/staff/bookings/grid?date={next_open_day()}").get_data(as_text=True)
    assert "Could not read Study Room A's Outlook calendar" in html
    assert "Ann Citizen" in html


def test_other_occupancy_sources_add_their_items(app, exchange, monkeypatch):
    """The hook issue 17's published events and closures use."""
    space = make_room(mailbox=None)
    day = next_open_day()

    def closures(spaces, start, end):
        return {spaces[0].id: [desk_grid.GridItem("closure", start + timedelta(hours=9), start + timedelta(hours=12),
                                                  "Floor cleaning")]}

    monkeypatch.setattr(desk_grid, "_extra_sources", [closures])
    viewer, _ = staff(app, "reservations.viewer")
    text = page_text(viewer.get(f"/staff/bookings/grid?date={day}"))
    assert "Closed 9:00 AM to 12:00 PM Floor cleaning" in text
