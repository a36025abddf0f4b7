"""The booking desk's grid: rooms by hour (day) or by day (week), MyGov's own events told apart
from Outlook's by Exchange event id."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.calendars.forms import EventInput
from app.calendars.models import Calendar
from app.calendars.services import publish_event, save_event
from app.extensions import db
from app.facilities.closures import ClosureInput, add_closure
from app.reservations import desk_grid
from app.reservations.models import Reservation
from tests.factories import make_employee
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


def test_events_published_to_the_room_and_closures_show_as_themselves_not_as_outlook_busy_time(app, exchange):
    """A room's occupancy on the grid: MyGov's published events and closures, each named as what it is,
    and their events in the room calendar (a series' occurrences too) not shown again as Outlook's."""
    space = make_room()
    day = next_open_day()
    calendar = Calendar(name="Library programs", slug="library-programs", time_zone="America/Chicago",
                        exchange_calendar_address=space.exchange_resource_mailbox)
    db.session.add(calendar)
    db.session.commit()
    editor = make_employee("Cal Editor")
    event = save_event(calendar, None, EventInput(title="Story time", start_date=day.isoformat(), start_time="10:00",
                                                  end_time="11:00", rrule="FREQ=WEEKLY;COUNT=3"), editor)
    publish_event(event, editor)
    following = day + timedelta(days=1)
    add_closure(space.facility, ClosureInput("Floor cleaning", following, following, None, space.id), editor)
    drain()
    assert {e["subject"] for e in exchange.control.events(space.exchange_resource_mailbox)} >= {"Story time"}
    viewer, _ = staff(app, "reservations.viewer")
    week = page_text(viewer.get(f"/staff/bookings/grid?view=week&date={day}"))
    assert "Published event 10:00 AM to 11:00 AM Story time" in week
    assert "Closed" in week and "Floor cleaning" in week
    assert week.count("Busy in Outlook") == 1  # the key to the marks only
