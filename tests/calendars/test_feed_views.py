"""Feeds of every view: per filtered list (the events the page shows), combined, per event; Google
links; stamps from the data; cancelled events leaving once past; times with their offsets."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar as ICalendar

from app.calendars.models import Calendar, CalendarEvent
from app.demo.services import seed_demo
from app.extensions import db

CHICAGO = ZoneInfo("America/Chicago")
EVENT_LINK = re.compile(r'href="/calendars/[\w-]+/events/([\w@.-]+)"')


@pytest.fixture
def demo(app):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])


def _uids(body: bytes) -> set[str]:
    return {str(e["uid"]) for e in ICalendar.from_ical(body).walk("VEVENT")}


def _page_and_feed(client, path: str) -> tuple[set[str], set[str]]:
    html = client.get(path).get_data(as_text=True)
    feed = re.search(r'id="feed-address" type="text" readonly value="([^"]+)"', html).group(1).replace("&amp;", "&")
    parts = urlsplit(feed)
    body = client.get(parts.path + ("?" + parts.query if parts.query else "")).get_data()
    return set(EVENT_LINK.findall(html.split('id="results"')[1])), _uids(body)


@pytest.mark.parametrize("query", ["?category=Adults", "?q=story", "?location=city+hall",
                                   "?from={d3}&to={d3}", "?category=Children&from={d1}&to={d9}"])
def test_every_filtered_list_has_a_feed_of_its_filters_on_every_date(app, client, demo, query):
    """The feed carries the view's filters but never its date window: a subscription keeps gaining events."""
    today = datetime.now(CHICAGO).date()
    query = query.format(**{f"d{n}": (today + timedelta(days=n)).isoformat() for n in (1, 3, 9)})
    undated = "&".join(p for p in query.lstrip("?").split("&") if not p.startswith(("from=", "to=")))
    for slug in ("library", "all"):
        shown, fed = _page_and_feed(client, f"/calendars/{slug}/{query}")
        every_date, _ = _page_and_feed(client, f"/calendars/{slug}/?{undated}&from={today}&to={today + timedelta(days=366)}")
        assert shown <= fed and fed == every_date, (slug, query)
    shown, fed = _page_and_feed(client, "/calendars/all/?from=" + today.isoformat())
    assert shown and shown <= fed


def test_the_combined_view_shows_every_public_calendar_and_narrows_to_the_chosen_ones(app, client, demo):
    html = client.get("/calendars/all/").get_data(as_text=True)
    assert "Toddler Story Time" in html and "City Council Meeting" in html and "Downtown Holiday Festival" in html
    assert "Library Events" in html  # each event says which calendar it is from
    narrowed = client.get("/calendars/all/?calendar=parks&calendar=library").get_data(as_text=True)
    assert "City Council Meeting" not in narrowed.split('id="results"')[1] and "Toddler Story Time" in narrowed
    both = ICalendar.from_ical(client.get("/calendars/all.ics").get_data())
    assert {"demo-storytime", "demo-council", "demo-festival"} <= {str(e["uid"]) for e in both.walk("VEVENT")}
    assert str(both["x-wr-calname"]) == "All city calendars"
    hidden = db.session.query(Calendar).filter_by(slug="parks").one()
    hidden.is_public = False
    db.session.commit()
    assert "demo-festival" not in _uids(client.get("/calendars/all.ics").get_data())
    assert client.get("/calendars/all/month").status_code == 200


def test_the_feed_header_names_the_calendar_and_the_filter(app, client, demo):
    text = client.get("/calendars/library.ics").get_data(as_text=True)
    for line in ("NAME:Library Events", "X-WR-CALNAME:Library Events", "X-WR-TIMEZONE:America/Chicago",
                 "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H", "METHOD:PUBLISH"):
        assert line + "\r\n" in text
    filtered = client.get("/calendars/library.ics?category=Children").get_data(as_text=True)
    assert "X-WR-CALNAME:Library Events (Children)\r\n" in filtered


def test_an_event_downloads_as_its_own_file_and_adds_to_google_at_its_next_date(app, client, demo):
    response = client.get("/calendars/library/events/demo-tech-help.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="event-demo-tech-help.ics"'
    assert _uids(response.get_data()) == {"demo-tech-help"}
    assert client.get("/calendars/library/events/demo-tech-help.ics",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    page = client.get("/calendars/library/events/demo-tech-help").get_data(as_text=True)
    google = re.search(r'href="(https://calendar.google.com/calendar/render\?[^"]+)"', page).group(1)
    args = parse_qs(urlsplit(google.replace("&amp;", "&")).query)
    event = db.session.query(CalendarEvent).filter_by(uid="demo-tech-help").one()
    utc = [moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ") for moment in (event.start_at, event.end_at)]
    assert args["action"] == ["TEMPLATE"] and args["text"] == ["Computer Help Drop-in"]
    assert args["dates"] == ["/".join(utc)] and args["ctz"] == ["America/Chicago"]
    festival = client.get("/calendars/parks/events/demo-festival").get_data(as_text=True)
    start = db.session.query(CalendarEvent).filter_by(uid="demo-festival").one().start_date
    assert f"dates={start:%Y%m%d}%2F{start + timedelta(days=2):%Y%m%d}" in festival  # all-day, end exclusive
    series = client.get("/calendars/library/events/demo-storytime").get_data(as_text=True)
    assert "(adds the next date only)" in series and "every date" in series


def test_the_feed_is_byte_identical_whatever_the_clock_and_its_stamps_come_from_the_data(app, client, demo):
    first = client.get("/calendars/library.ics").get_data()
    event = db.session.query(CalendarEvent).filter_by(uid="demo-tech-help").one()
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(hours=5)):
        db.session.expire_all()
        later = app.test_client().get("/calendars/library.ics")
    assert later.get_data() == first
    vevent = next(e for e in ICalendar.from_ical(first).walk("VEVENT") if str(e["uid"]) == "demo-tech-help")
    stamp = event.updated_at.astimezone(timezone.utc).replace(microsecond=0)
    assert vevent["dtstamp"].dt == stamp and vevent["last-modified"].dt == stamp


def test_a_cancelled_event_leaves_the_feed_and_pages_a_day_after_it_is_past(app, client, demo):
    talk = db.session.query(CalendarEvent).filter_by(uid="demo-author-talk").one()
    now = datetime.now(timezone.utc)
    talk.start_at, talk.end_at = now - timedelta(hours=20), now - timedelta(hours=19)
    talk.updated_at = now - timedelta(days=3)
    db.session.commit()
    assert "demo-author-talk" in _uids(client.get("/calendars/library.ics").get_data())  # the grace day
    assert client.get("/calendars/library/events/demo-author-talk").status_code == 200
    talk.start_at, talk.end_at = now - timedelta(days=3), now - timedelta(days=3) + timedelta(hours=1)
    db.session.commit()
    response = client.get("/calendars/library.ics")
    assert "demo-author-talk" not in _uids(response.get_data())
    assert client.get("/calendars/library/events/demo-author-talk").status_code == 404
    # The feed changed when the event left, so a client revalidating by date must get the new body.
    left = datetime.now(CHICAGO).date()
    assert response.last_modified >= datetime.combine(left - timedelta(days=1), datetime.min.time(), CHICAGO)


OFFSET_OR_DATE = re.compile(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?[+-]\d\d:\d\d)?$")


def test_every_time_on_the_public_pages_has_its_offset_and_the_zone_is_stated(app, client, demo):
    today = datetime.now(CHICAGO).date()
    paths = ["/calendars/", "/calendars/library/", "/calendars/all/", "/calendars/library/month",
             f"/calendars/library/day/{(today + timedelta(days=1)).isoformat()}",
             "/calendars/library/events/demo-storytime", "/calendars/parks/events/demo-festival"]
    for path in paths:
        html = client.get(path).get_data(as_text=True)
        assert "America/Chicago time" in html, path
        values = re.findall(r'<time datetime="([^"]+)"', html)
        assert all(OFFSET_OR_DATE.match(v) for v in values), (path, values)
        if path != "/calendars/":
            assert values, path
        timed = [v for v in values if "T" in v]
        assert path == "/calendars/" or "festival" in path or timed, path
