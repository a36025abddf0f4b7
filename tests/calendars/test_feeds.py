"""ICS feeds: RFC 5545 rules real clients depend on, and conditional GETs that poll cheaply."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar as ICalendar

from app.calendars.models import Calendar, CalendarEvent
from app.demo.services import seed_demo
from app.extensions import db


@pytest.fixture
def library(app) -> Calendar:
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    return db.session.query(Calendar).filter_by(slug="library").one()


def _feed(client, **headers):
    return client.get("/calendars/library.ics", headers=headers)


def test_the_feed_follows_rfc_5545_line_rules(app, client, library):
    event = library.events[0]
    event.title = "Café con libros: conversación en español para todas las edades — ¡bienvenidos! 📚"
    db.session.commit()
    response = _feed(client)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.get_data()
    assert b"\n" not in body.replace(b"\r\n", b"")  # CRLF only
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a multi-byte character
    parsed = ICalendar.from_ical(body)
    assert any(str(e.get("summary")) == event.title for e in parsed.walk("VEVENT"))


def test_every_event_has_one_uid_and_dtstamp_and_every_tzid_a_vtimezone(app, client, library):
    parsed = ICalendar.from_ical(_feed(client).get_data())
    assert str(parsed["version"]) == "2.0" and parsed["prodid"] and str(parsed["method"]) == "PUBLISH"
    text = _feed(client).get_data(as_text=True)
    for block in text.split("BEGIN:VEVENT")[1:]:
        block = block.split("END:VEVENT")[0]
        assert block.count("\r\nUID:") == 1 and block.count("\r\nDTSTAMP:") == 1
    used = set(re.findall(r"TZID=([^:;]+)", text))
    declared = {str(tz["tzid"]) for tz in parsed.walk("VTIMEZONE")}
    assert used and used <= declared
    zone = parsed.walk("VTIMEZONE")[0]
    assert zone.walk("STANDARD") and zone.walk("DAYLIGHT") and "RDATE" not in text  # Outlook shifts RDATE zones
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text and "X-PUBLISHED-TTL:PT1H" in text


def test_all_day_events_are_dates_without_tzid(app, client, library):
    db.session.add(CalendarEvent(calendar=library, uid="all-day-1", title="Book sale", all_day=True,
                                 start_date=datetime.now().date() + timedelta(days=3),
                                 end_date=datetime.now().date() + timedelta(days=4),
                                 time_zone=library.time_zone, status="published"))
    db.session.commit()
    text = _feed(client).get_data(as_text=True)
    block = text.split("UID:all-day-1")[0].rsplit("BEGIN:VEVENT", 1)[1] + text.split("UID:all-day-1")[1]
    assert "DTSTART;VALUE=DATE:" in block and "TZID" not in block.split("END:VEVENT")[0]


def test_a_cancelled_event_stays_with_status_prefix_and_drafts_never_appear(app, client, library):
    text = _feed(client).get_data(as_text=True)
    assert "SUMMARY:Cancelled: Author Talk" in text and "STATUS:CANCELLED" in text
    now = datetime.now(timezone.utc)
    db.session.add(CalendarEvent(calendar=library, uid="draft-1", title="Secret draft", status="draft",
                                 start_at=now, end_at=now + timedelta(hours=1), time_zone=library.time_zone))
    db.session.commit()
    assert "Secret draft" not in _feed(client).get_data(as_text=True)


def test_conditional_gets_answer_304_only_when_nothing_changed(app, client, library):
    first = _feed(client)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert _feed(client).headers["ETag"] == etag  # the body is stable between polls
    assert _feed(client, **{"If-None-Match": etag}).status_code == 304
    assert _feed(client, **{"If-Modified-Since": modified}).status_code == 304
    assert _feed(client, **{"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}).status_code == 200
    assert _feed(client, **{"If-Modified-Since": "not a date"}).status_code == 200
    library.events[0].title = "Changed"
    library.events[0].updated_at = datetime.now(timezone.utc) + timedelta(seconds=2)
    db.session.commit()
    changed = _feed(client, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_unknown_or_private_calendars_have_no_feed(app, client, library):
    library.is_public = False
    db.session.commit()
    assert _feed(client).status_code == 404
    assert client.get("/calendars/nope.ics").status_code == 404


def test_text_is_escaped_and_long_lines_fold_between_characters(app, client, library):
    import vobject

    event = library.events[0]
    event.title = "Budget, taxes; and \\ more\nSecond line " + "Ä" * 60
    event.location = "Room 1, City Hall; 2nd floor"
    db.session.commit()
    body = _feed(client).get_data()
    assert b"SUMMARY:Budget\\, taxes\\; and \\\\ more\\nSecond line" in body
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")
    parsed = ICalendar.from_ical(body)
    assert any(str(e.get("summary")) == event.title for e in parsed.walk("VEVENT"))
    read = vobject.readOne(body.decode("utf-8"))
    assert any(e.summary.value == event.title and e.location.value == event.location for e in read.vevent_list)


def test_a_client_that_accepts_gzip_gets_the_same_feed_compressed_with_its_own_etag(app, client, library):
    import gzip

    plain = _feed(client)
    zipped = _feed(client, **{"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert zipped.headers["ETag"] != plain.headers["ETag"]  # a strong ETag names one representation
    assert _feed(client, **{"Accept-Encoding": "gzip"}).get_data() == zipped.get_data()  # byte-identical
    again = _feed(client, **{"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and "Content-Encoding" not in again.headers
