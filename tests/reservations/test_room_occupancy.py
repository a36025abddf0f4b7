"""Whatever MyGov writes to a room's mailbox blocks the room: events published to it (every occurrence
of a series), reservations, closures. The reported bug: an event published to a room was written
`showAs: free`, so the room looked free in Outlook and to MyGov, and a citizen got that hour."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from app.calendars.forms import EventInput
from app.calendars.models import Calendar, PublishingMailbox
from app.calendars.services import cancel_event, publish_event, save_event
from app.extensions import db
from app.facilities import reconcile
from app.graph import calendar as graph_calendar
from app.jobs.models import GraphOperation
from app.microsoft import graph_client
from app.reservations import exchange, occupancy
from app.reservations.models import Reservation
from tests.factories import make_employee
from tests.jobs.helpers import drain
from tests.reservations.helpers import CITY, booking_form, make_room, next_open_day, page_text, space_url, submit


def _room_calendar(space) -> Calendar:
    calendar = Calendar(name="Library programs", slug="library-programs", time_zone="America/Chicago",
                        exchange_calendar_address=space.exchange_resource_mailbox.upper())
    db.session.add(calendar)
    db.session.commit()
    return calendar


def _publish(calendar: Calendar, title: str, day, start: str, end: str, **fields: str):
    editor = make_employee("Cal Editor")
    event = save_event(calendar, None, EventInput(title=title, start_date=day.isoformat(), start_time=start,
                                                  end_time=end, location="Study Room A", **fields), editor)
    publish_event(event, editor)
    return event, editor


def _local(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CITY).astimezone(timezone.utc)


def test_an_event_published_to_the_room_then_a_citizen_asks_for_that_hour_is_refused(app, client):
    space = make_room()
    day = next_open_day()
    _publish(_room_calendar(space), "Story time", day, "10:00", "11:00")

    # Before the worker has written it to Exchange, MyGov's own check sees it.
    refused = submit(client, space, booking_form(day, "10:30", "11:30"))
    assert refused.status_code == 409
    assert "Story time" in page_text(refused)
    assert db.session.scalars(select(Reservation)).all() == []

    # In Exchange it is busy (not free), so Outlook and free/busy see it too.
    drain()
    create = db.session.scalars(select(GraphOperation).where(GraphOperation.target_type == "calendar_event")).one()
    assert create.status == "done" and create.payload["event"]["showAs"] == "busy"
    bookings = exchange.room_bookings(space.exchange_resource_mailbox, _local(day, 0), _local(day, 23))
    assert [(b.start, b.status) for b in bookings] == [(_local(day, 10), "busy")]

    # The day's free times leave the hour out; the hour after is still offered and can be booked.
    html = page_text(client.get(space_url(space) + f"?date={day.isoformat()}"))
    assert "9:00 AM to 10:00 AM" in html and "11:00 AM to 8:00 PM" in html
    assert submit(client, space, booking_form(day, "11:00", "12:00")).status_code == 303


def test_every_occurrence_of_a_published_series_blocks_and_a_cancelled_event_frees_the_room(app, client):
    space = make_room()
    day = next_open_day()
    series, editor = _publish(_room_calendar(space), "Chess club", day, "14:00", "16:00",
                              rrule="FREQ=WEEKLY;COUNT=6")
    third = day + timedelta(weeks=2)
    found = occupancy.conflicts(space, _local(third, 15), _local(third, 17))
    assert [(o.kind, o.label, o.start) for o in found] == [(occupancy.EVENT, "Chess club", _local(third, 14))]
    assert occupancy.conflicts(space, _local(third, 16), _local(third, 17)) == []

    cancel_event(series, editor)
    assert occupancy.conflicts(space, _local(third, 15), _local(third, 17)) == []


def test_events_of_other_calendars_do_not_block_the_room(app, client):
    space = make_room()
    day = next_open_day()
    other = Calendar(name="City Meetings", slug="city-meetings", time_zone="America/Chicago",
                     exchange_calendar_address="citymeetings@auburnal.gov")
    db.session.add(other)
    db.session.add(PublishingMailbox(address="citymeetings@auburnal.gov", reason="City meetings calendar"))
    db.session.commit()
    _publish(other, "Council meeting", day, "10:00", "11:00")
    assert submit(client, space, booking_form(day, "10:00", "11:00")).status_code == 303
    drain()
    create = db.session.scalars(select(GraphOperation).where(GraphOperation.target_type == "calendar_event")).one()
    assert create.payload["event"]["showAs"] == "free"  # a shared calendar is not a room: nobody is made busy


def test_room_reconcile_reports_a_mygov_event_that_shows_the_room_free(app, client):
    space = make_room()
    day = next_open_day()
    event, _ = _publish(_room_calendar(space), "Story time", day, "10:00", "11:00")
    drain()
    window = (_local(day, 0), _local(day, 23))
    assert reconcile.compare_space(graph_client(), space, *window) == []
    graph_calendar.update_event(graph_client(), space.exchange_resource_mailbox, event.exchange_event_id,
                                {"showAs": "free"})  # e.g. written before this fix, or changed in Outlook
    [drift] = reconcile.compare_space(graph_client(), space, *window)
    assert (drift.change, drift.subject) == ("mismatched", "Story time")
    assert "Shown as free" in drift.detail


def _options(html: str, name: str) -> list[str]:
    import re

    select = html.split(f'id="field-{name}"')[1].split("</select>")[0]
    return re.findall(r'<option value="([\d:]+)"', select)


def test_the_time_lists_offer_only_starts_and_ends_that_fit_the_chosen_day(app, client):
    space = make_room(setup_minutes=0, teardown_minutes=15)
    day = next_open_day()
    _publish(_room_calendar(space), "Story time", day, "10:00", "11:00")
    html = client.get(space_url(space) + f"?date={day.isoformat()}").get_data(as_text=True)
    starts = _options(html, "start_time")
    # 30 minutes plus the 15-minute teardown must end by 10:00: 9:15 is the last start before the event.
    assert starts[:3] == ["09:00", "09:15"] + ["11:00"] and "10:00" not in starts and starts[-1] == "19:30"
    assert "Only the times that fit on" in html

    # With htmx the day's lists come out of band, keeping the times already chosen.
    fragment = client.get(space_url(space) + f"?date={day.isoformat()}&start_time=10:15&end_time=",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="time-choices" hx-swap-oob="true"' in fragment
    assert _options(fragment, "start_time")[:4] == ["09:00", "09:15", "10:15", "11:00"]  # 10:15 kept, refused on submit

    # A refused submission (no JavaScript: day and start, then the ends that fit that start).
    refused = submit(client, space, booking_form(day, "09:00", "12:00"))
    assert refused.status_code == 409
    assert _options(refused.get_data(as_text=True), "end_time") == ["09:30", "09:45", "12:00"]
