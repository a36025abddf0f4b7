"""The feed read by four independent parsers — python icalendar (with the feed's own VTIMEZONE),
vobject, recurring-ical-events and npm ical.js (Thunderbird's, run with node) — and each agreeing
with the database on every occurrence's start and end instant, status included."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil.rrule import rrulestr
from icalendar import Calendar as ICalendar

from app.calendars import queries
from app.calendars.models import Calendar, CalendarEvent, CalendarEventOverride
from app.extensions import db
from tests.calendars.feed_parsers import icaljs_occurrences, recurring_ical_events_occurrences

CHICAGO = ZoneInfo("America/Chicago")
UTC = timezone.utc
WINDOW = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
Occurrence = tuple[str, str, str, str]  # uid, status, start, end (UTC instants, or dates for all-day)


def _at(day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), CHICAGO)


@pytest.fixture
def fixture_set(app) -> Calendar:
    """Single, all-day, multi-day (dates and times), weekly across the March 14, 2027 DST change with a
    skipped and a moved date, a cancelled event, and a title that needs folding."""
    calendar = Calendar(name="Interop", slug="interop", time_zone="America/Chicago")
    db.session.add(calendar)

    def add(uid: str, **fields) -> CalendarEvent:
        event = CalendarEvent(calendar=calendar, uid=uid, time_zone="America/Chicago", **{"status": "published", **fields})
        db.session.add(event)
        return event

    add("single", title="Budget hearing", start_at=_at("2027-02-02", "18:00"), end_at=_at("2027-02-02", "19:30"))
    add("all-day", title="Book sale", all_day=True, start_date=date(2027, 2, 6), end_date=date(2027, 2, 7))
    add("multi-day", title="Arts festival", all_day=True, start_date=date(2027, 3, 12), end_date=date(2027, 3, 15))
    add("overnight", title="Library lock-in", start_at=_at("2027-03-13", "20:00"), end_at=_at("2027-03-14", "08:00"))
    weekly = add("weekly", title="Café con libros — conversación en español para todas las edades ¡bienvenidos!",
                 start_at=_at("2027-03-02", "18:00"), end_at=_at("2027-03-02", "19:00"),
                 rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6", exdates=["2027-03-09T18:00:00"])
    weekly.overrides.append(CalendarEventOverride(recurrence_id=_at("2027-03-23", "18:00"),
                                                  start_at=_at("2027-03-24", "15:00"), end_at=_at("2027-03-24", "16:30")))
    add("monthly-all-day", title="Recycling day", all_day=True, start_date=date(2027, 3, 1), end_date=date(2027, 3, 2),
        rrule="FREQ=MONTHLY;COUNT=3")
    add("cancelled", title="Author talk", status="cancelled", sequence=1,
        start_at=_at("2027-04-06", "18:00"), end_at=_at("2027-04-06", "19:00"))
    db.session.commit()
    return calendar


def _key(uid: str, status: str, start: datetime | date, end: datetime | date) -> Occurrence:
    if isinstance(start, datetime):
        return uid, status, start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()
    return uid, status, start.isoformat(), end.isoformat()


def _from_database(calendar: Calendar) -> set[Occurrence]:
    events, _ = queries.feed_events([calendar], date(2026, 12, 1))
    found = set()
    for o in queries.occurrences(events, CHICAGO, WINDOW[0].date(), WINDOW[1].date() - timedelta(days=1)):
        status = "CANCELLED" if o.cancelled else "CONFIRMED"
        found.add(_key(o.event.uid, status, o.start.date(), o.end.date()) if o.all_day
                  else _key(o.event.uid, status, o.start, o.end))
    return found


def _icalendar(body: bytes) -> set[Occurrence]:
    """python icalendar parses; times are read in the feed's own VTIMEZONE (to_tz), expanded by dateutil."""
    parsed = ICalendar.from_ical(body)
    zones = {str(tz["tzid"]): tz.to_tz() for tz in parsed.walk("VTIMEZONE")}
    found, moved = set(), {}

    def local(prop) -> datetime | date:
        value = prop.dt
        if isinstance(value, datetime):
            return value.replace(tzinfo=zones[prop.params["TZID"]])
        return value

    for vevent in parsed.walk("VEVENT"):
        if "recurrence-id" in vevent:
            moved[(str(vevent["uid"]), local(vevent["recurrence-id"]))] = vevent
    for vevent in parsed.walk("VEVENT"):
        if "recurrence-id" in vevent:
            continue
        uid, status = str(vevent["uid"]), str(vevent["status"])
        start, end = local(vevent["dtstart"]), local(vevent["dtend"])
        starts = [start]
        if "rrule" in vevent:
            naive = start if not isinstance(start, datetime) else start.replace(tzinfo=None)
            naive = naive if isinstance(naive, datetime) else datetime.combine(naive, time.min)
            exdates = vevent.get("exdate", [])
            skipped = {d.dt.replace(tzinfo=None) if isinstance(d.dt, datetime) else datetime.combine(d.dt, time.min)
                       for group in (exdates if isinstance(exdates, list) else [exdates]) for d in group.dts}
            rule = rrulestr(vevent["rrule"].to_ical().decode(), dtstart=naive)
            starts = [(s.replace(tzinfo=start.tzinfo) if isinstance(start, datetime) else s.date())
                      for s in rule if s not in skipped]
        for occurrence in starts:
            override = moved.get((uid, occurrence))
            if override is not None:
                found.add(_key(uid, str(override["status"]), local(override["dtstart"]), local(override["dtend"])))
            else:
                found.add(_key(uid, status, occurrence, _plus(occurrence, start, end)))
    return found


def _plus(occurrence: datetime | date, start: datetime | date, end: datetime | date) -> datetime | date:
    """The occurrence's end: the exact duration (RFC 5545 §3.8.5.3), counted in UTC, not in wall time."""
    if isinstance(occurrence, datetime):
        return occurrence.astimezone(UTC) + (end.astimezone(UTC) - start.astimezone(UTC))
    return occurrence + (end - start)


def _vobject(body: bytes) -> set[Occurrence]:
    """vobject builds its own tzinfo from the VTIMEZONE; overrides applied by RECURRENCE-ID."""
    parsed = vobject.readOne(body.decode("utf-8"))
    found, moved = set(), {}
    for vevent in parsed.vevent_list:
        if hasattr(vevent, "recurrence_id"):
            moved[(vevent.uid.value, vevent.recurrence_id.value)] = vevent
    for vevent in parsed.vevent_list:
        if hasattr(vevent, "recurrence_id"):
            continue
        uid, status = vevent.uid.value, vevent.status.value
        start, end = vevent.dtstart.value, vevent.dtend.value
        starts = list(vevent.getrruleset(addRDate=True)) if hasattr(vevent, "rrule") else [start]
        for occurrence in starts:
            if not isinstance(start, datetime) and isinstance(occurrence, datetime):
                occurrence = occurrence.date()
            override = moved.get((uid, occurrence))
            if override is not None:
                found.add(_key(uid, override.status.value, override.dtstart.value, override.dtend.value))
            else:
                found.add(_key(uid, status, occurrence, _plus(occurrence, start, end)))
    return found


def test_four_parsers_agree_with_the_database_on_every_occurrence(app, client, fixture_set):
    body = client.get("/calendars/interop.ics").get_data()
    expected = _from_database(fixture_set)
    assert len(expected) == 1 + 1 + 1 + 1 + 5 + 3 + 1  # the weekly series: six dates, one skipped
    weekly = sorted(o[2] for o in expected if o[0] == "weekly")
    assert weekly == ["2027-03-03T00:00:00+00:00", "2027-03-16T23:00:00+00:00",  # 6 pm CST, then 6 pm CDT
                      "2027-03-24T20:00:00+00:00", "2027-03-30T23:00:00+00:00", "2027-04-06T23:00:00+00:00"]
    for name, read in (("icalendar", _icalendar), ("vobject", _vobject),
                       ("recurring-ical-events", recurring_ical_events_occurrences), ("ical.js", icaljs_occurrences)):
        seen = read(body, WINDOW) if read in (recurring_ical_events_occurrences, icaljs_occurrences) else read(body)
        assert seen == expected, (name, sorted(seen ^ expected))


def test_the_feed_zone_is_rule_based_never_an_rdate_list(app, client, fixture_set):
    """Python icalendar's generated zones list RDATEs; ical.js 2.2.1 and vobject read the first only
    and Outlook shifts events by an hour (docs/calendar-feeds.md §1.5)."""
    body = client.get("/calendars/interop.ics").get_data()
    assert b"RDATE" not in body and b"BEGIN:DAYLIGHT" in body and b"RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in body
    assert b"RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in body
