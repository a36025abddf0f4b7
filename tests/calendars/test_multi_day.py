"""Multi-day and overnight events are on every day they cover, in every view and date filter (issue 20, point 3)."""
from __future__ import annotations

import re
from urllib.parse import urlencode
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def parks(app) -> Calendar:
    calendar = Calendar(name="Parks", slug="parks", time_zone="America/Chicago")
    market = CalendarEvent(calendar=calendar, uid="market@test", title="Spring Market", time_zone="America/Chicago",
                           all_day=True, start_date=date(2027, 5, 7), end_date=date(2027, 5, 10), status="published",
                           category="Markets")
    stargazing = CalendarEvent(calendar=calendar, uid="stars@test", title="Stargazing Night", time_zone="America/Chicago",
                               start_at=datetime(2027, 5, 8, 22, tzinfo=CHICAGO),
                               end_at=datetime(2027, 5, 9, 2, tzinfo=CHICAGO), status="published")
    db.session.add_all([calendar, market, stargazing])
    db.session.commit()
    return calendar


def _days_listing(html: str) -> dict[str, list[str]]:
    results = html.split('id="results"', 1)[1]
    sections = re.split(r'<h2 id="day-([\d-]+)"', results)[1:]
    return {day: re.findall(r'<a class="usa-link" href="/calendars/parks/events/[^"]+">([^<]+)</a>', body)
            for day, body in zip(sections[::2], sections[1::2])}


def test_a_three_day_market_and_an_overnight_event_are_on_each_of_their_days(app, client, parks):
    html = client.get("/calendars/parks/?from=2027-05-06&to=2027-05-11").get_data(as_text=True)
    assert _days_listing(html) == {"2027-05-07": ["Spring Market"],
                                   "2027-05-08": ["Spring Market", "Stargazing Night"],
                                   "2027-05-09": ["Spring Market", "Stargazing Night"]}
    assert "Day 2 of 3" in html and "2 events from" in html

    later = client.get("/calendars/parks/?from=2027-05-09&to=2027-05-09").get_data(as_text=True)
    assert _days_listing(later) == {"2027-05-09": ["Spring Market", "Stargazing Night"]}
    assert "Day 3 of 3" in later and "Day 2 of 2" in later

    for day in ("2027-05-08", "2027-05-09"):
        page = client.get(f"/calendars/parks/day/{day}").get_data(as_text=True)
        assert "Spring Market" in page and "Stargazing Night" in page and "2 events" in page
    assert "Spring Market" not in client.get("/calendars/parks/day/2027-05-10").get_data(as_text=True)

    month = client.get("/calendars/parks/month?month=2027-05").get_data(as_text=True)
    cells = re.findall(r'<time datetime="(2027-05-\d\d)">.*?</td>', month, re.S)
    assert cells  # the table is there
    covered = {m.group(1) for m in re.finditer(r'<time datetime="(2027-05-\d\d)">(?:(?!</td>).)*Spring Market',
                                               month, re.S)}
    assert covered == {"2027-05-07", "2027-05-08", "2027-05-09"}
    assert "Spring Market (day 3 of 3)" in month

    filtered = client.get("/calendars/parks/?category=Markets&from=2027-05-08&to=2027-05-08").get_data(as_text=True)
    assert _days_listing(filtered) == {"2027-05-08": ["Spring Market"]}
    assert "market@test" in client.get("/calendars/parks.ics?category=Markets").get_data(as_text=True)


def test_the_subscribe_links_of_a_filtered_view_carry_its_filters_but_never_its_dates(app, client, parks):
    html = client.get("/calendars/parks/?category=Markets&from=2027-05-08&to=2027-05-08").get_data(as_text=True)
    links = dict(re.findall(r'<a class="usa-link" href="([^"]+)">Subscribe in ([^<]+)</a>', html))
    links = {label: href.replace("&amp;", "&") for href, label in links.items()}
    assert set(links) == {"Apple Calendar or Outlook on your computer", "Google Calendar", "Outlook.com",
                          "Microsoft 365 (work or school)"}
    feed = app.config["PUBLIC_BASE_URL"].rstrip("/") + "/calendars/parks.ics?category=Markets"
    assert links["Apple Calendar or Outlook on your computer"] == "webcal://" + feed.split("://", 1)[1]
    assert links["Outlook.com"] == ("https://outlook.live.com/calendar/0/addfromweb?"
                                    + urlencode({"url": feed, "name": "Parks (Markets)"}))
    assert links["Microsoft 365 (work or school)"].startswith("https://outlook.office.com/calendar/0/addfromweb?url=")
    assert all("from%3D" not in href and "from=" not in href and "2027" not in href for href in links.values())
    assert f'value="{feed}"' in html


def test_an_empty_filtered_feed_is_a_valid_calendar(app, client, parks):
    from icalendar import Calendar as ICalendar

    response = client.get("/calendars/parks.ics?category=Nothing+here")
    assert response.status_code == 200 and response.content_type == "text/calendar; charset=utf-8"
    feed = ICalendar.from_ical(response.get_data())
    assert feed.walk("VEVENT") == [] and str(feed["version"]) == "2.0" and feed.get("prodid")
    assert str(feed["x-wr-calname"]) == "Parks (Nothing here)"
