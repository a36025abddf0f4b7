"""A moved date of a series repeats the series' details in the feed (issue 20, point 4): a client
replaces the whole occurrence with the RECURRENCE-ID component, so whatever it leaves out is lost."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar as ICalendar

from app.calendars.models import Calendar, CalendarEvent, CalendarEventOverride
from app.extensions import db

CHICAGO = ZoneInfo("America/Chicago")


def test_moved_and_changed_dates_repeat_description_location_link_and_category(app, client):
    calendar = Calendar(name="Library", slug="library", time_zone="America/Chicago")
    series = CalendarEvent(calendar=calendar, uid="storytime@test", title="Story time", time_zone="America/Chicago",
                           start_at=datetime(2027, 3, 2, 10, tzinfo=CHICAGO), end_at=datetime(2027, 3, 2, 11, tzinfo=CHICAGO),
                           rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=4", status="published", location="Children's room",
                           description="Songs, rhymes and a story.", category="Children")
    series.overrides += [
        CalendarEventOverride(recurrence_id=datetime(2027, 3, 9, 10, tzinfo=CHICAGO),
                              start_at=datetime(2027, 3, 10, 10, tzinfo=CHICAGO), end_at=datetime(2027, 3, 10, 11, tzinfo=CHICAGO)),
        CalendarEventOverride(recurrence_id=datetime(2027, 3, 16, 10, tzinfo=CHICAGO),
                              start_at=datetime(2027, 3, 16, 10, tzinfo=CHICAGO), end_at=datetime(2027, 3, 16, 11, tzinfo=CHICAGO),
                              title="Story time with puppets", location="Auditorium"),
    ]
    db.session.add_all([calendar, series])
    db.session.commit()

    feed = ICalendar.from_ical(client.get("/calendars/library.ics").get_data())
    master, moved, changed = sorted(feed.walk("VEVENT"), key=lambda v: v.get("recurrence-id") and v["recurrence-id"].dt
                                    or datetime(2000, 1, 1, tzinfo=CHICAGO))
    for vevent, place, title in ((moved, "Children's room", "Story time"),
                                 (changed, "Auditorium", "Story time with puppets")):
        assert str(vevent["summary"]) == title and str(vevent["location"]) == place
        assert str(vevent["description"]) == "Songs, rhymes and a story."
        assert str(vevent["url"]) == str(master["url"])
        assert str(vevent["url"]).endswith("/calendars/library/events/storytime@test")
        assert vevent["categories"].cats == ["Children"]
