"""Staff screens for calendars and for single dates of a series: errors on their fields (422),
303 after a save, every change audited, and the public pages and feed changing at once."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar as ICalendar
from sqlalchemy import select

from app.access.models import AuditEntry
from app.calendars.models import Calendar, CalendarEvent, PublishingMailbox
from app.extensions import db
from app.facilities.models import Facility
from tests.factories import csrf_headers, staff_client

CHICAGO = ZoneInfo("America/Chicago")


def test_editors_create_and_change_calendars_with_errors_on_their_fields(app, meetings):
    editor, _ = staff_client(app, "calendars.editor", name="Cal Editor")
    bad = {"name": "", "slug": "city-meetings", "time_zone": "Mars/Olympus", "exchange_calendar_address": "nope"}
    refused = editor.post("/staff/calendars/new", data=bad, headers=csrf_headers(editor))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    for name in ("name", "slug", "time_zone", "exchange_calendar_address"):
        assert f'id="error-{name}"' in html
    assert "Another calendar has this web address" in html
    assert editor.post("/staff/calendars/new", data={**bad, "name": "X", "slug": "all", "time_zone": "UTC",
                                                     "exchange_calendar_address": ""},
                       headers=csrf_headers(editor)).status_code == 422  # the combined view's address
    good = {"name": "Parks & Recreation", "slug": "parks", "description": "Outdoors.", "is_public": "y",
            "time_zone": "America/New_York", "exchange_calendar_address": "Parks@AuburnAL.gov"}
    db.session.add(PublishingMailbox(address="parks@auburnal.gov", reason="Parks events"))  # a platform admin's
    db.session.commit()
    assert editor.post("/staff/calendars/new", data=good, headers=csrf_headers(editor)).status_code == 303
    parks = db.session.scalars(select(Calendar).where(Calendar.slug == "parks")).one()
    assert (parks.is_public, parks.time_zone, parks.exchange_calendar_address) == (True, "America/New_York",
                                                                                   "Parks@auburnal.gov")
    assert app.test_client().get("/calendars/parks/").status_code == 200
    changed = {**good, "is_public": "", "exchange_calendar_address": ""}
    assert editor.post(f"/staff/calendars/{parks.id}/settings", data=changed,
                       headers=csrf_headers(editor)).status_code == 303
    db.session.refresh(parks)
    assert not parks.is_public and parks.exchange_calendar_address is None
    assert app.test_client().get("/calendars/parks/").status_code == 404
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.save").limit(1))
    viewer, _ = staff_client(app, name="No Role")
    assert viewer.get("/staff/calendars/new").status_code == 403


def _series(app, meetings, **extra) -> tuple[object, CalendarEvent]:
    editor, _ = staff_client(app, "calendars.editor", "calendars.publisher", name="Cal Editor")
    start = datetime.now(CHICAGO).date() + timedelta(days=1)
    form = {"title": "Story time", "start_date": start.isoformat(), "start_time": "10:00", "end_time": "11:00",
            "rrule": "FREQ=WEEKLY;COUNT=6", "location": "Main Library", **extra}
    assert editor.post(f"/staff/calendars/{meetings.id}/events/new", data=form,
                       headers=csrf_headers(editor)).status_code == 303
    event = db.session.scalars(select(CalendarEvent)).one()
    meetings.exchange_calendar_address = None
    db.session.commit()
    editor.post(f"/staff/calendars/events/{event.id}/publish", headers=csrf_headers(editor))
    return editor, event


def _feed_occurrences(app) -> dict[str, list[str]]:
    parsed = ICalendar.from_ical(app.test_client().get("/calendars/city-meetings.ics").get_data())
    found: dict[str, list[str]] = {"exdate": [], "recurrence-id": []}
    for vevent in parsed.walk("VEVENT"):
        for value in ([vevent["exdate"]] if "exdate" in vevent and not isinstance(vevent["exdate"], list)
                      else vevent.get("exdate", [])):
            found["exdate"] += [d.dt.isoformat() for d in value.dts]
        if "recurrence-id" in vevent:
            found["recurrence-id"].append(vevent["recurrence-id"].dt.isoformat())
    return found


def test_staff_skip_move_and_restore_single_dates_and_the_feed_follows(app, meetings):
    editor, event = _series(app, meetings)
    page = editor.get(f"/staff/calendars/events/{event.id}").get_data(as_text=True)
    assert page.count("Skip this date") == 6 and "Move one date" in page
    first = event.start_at.astimezone(CHICAGO)
    second = first + timedelta(days=7)
    key = second.replace(tzinfo=None).isoformat()
    sequence = event.sequence
    assert editor.post(f"/staff/calendars/events/{event.id}/occurrences/skip", data={"original": key},
                       headers=csrf_headers(editor)).status_code == 303
    db.session.refresh(event)
    assert event.exdates == [key] and event.sequence == sequence + 1
    assert _feed_occurrences(app)["exdate"] == [second.isoformat()]
    third = first + timedelta(days=14)
    move = {"original": third.replace(tzinfo=None).isoformat(), "start_date": (third + timedelta(days=1)).date().isoformat(),
            "start_time": "15:00", "end_time": "14:00"}
    refused = editor.post(f"/staff/calendars/events/{event.id}/occurrences/move", data=move, headers=csrf_headers(editor))
    assert refused.status_code == 422 and 'id="error-end_time"' in refused.get_data(as_text=True)
    assert editor.post(f"/staff/calendars/events/{event.id}/occurrences/move", data={**move, "end_time": "16:00"},
                       headers=csrf_headers(editor)).status_code == 303
    db.session.refresh(event)
    assert [o.start_at.astimezone(CHICAGO).strftime("%H:%M") for o in event.overrides] == ["15:00"]
    assert _feed_occurrences(app)["recurrence-id"] == [third.isoformat()]
    listing = app.test_client().get("/calendars/city-meetings/").get_data(as_text=True)
    assert listing.count("Story time") == 5  # six dates, one skipped, one moved (still shown, at 3 pm)
    assert f'datetime="{(third + timedelta(days=1)).replace(hour=15).isoformat()}"' in listing
    not_a_date = {"original": (first + timedelta(hours=1)).replace(tzinfo=None).isoformat()}
    assert editor.post(f"/staff/calendars/events/{event.id}/occurrences/skip", data=not_a_date,
                       headers=csrf_headers(editor)).status_code == 422
    for original in (key, move["original"]):
        assert editor.post(f"/staff/calendars/events/{event.id}/occurrences/restore", data={"original": original},
                           headers=csrf_headers(editor)).status_code == 303
    db.session.refresh(event)
    assert event.exdates == [] and event.overrides == [] and event.sequence == sequence + 4
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"calendar_event.skip", "calendar_event.move", "calendar_event.restore"} <= actions


def test_the_date_to_move_is_offered_in_words_as_in_the_table_above_it(app, meetings):
    editor, event = _series(app, meetings)
    first = event.start_at.astimezone(CHICAGO)
    page = editor.get(f"/staff/calendars/events/{event.id}").get_data(as_text=True)
    key = first.replace(tzinfo=None).isoformat()
    said = first.strftime("%a %b %-d, %Y, %-I:%M %p")
    assert f'<option value="{key}" >{said}</option>' in page
    assert f">{key[:16].replace('T', ' ')}<" not in page  # not "2026-12-08 16:00"


def test_the_facility_is_chosen_from_the_list_and_shown_on_the_event_page(app, meetings):
    library = Facility(name="Auburn Public Library", slug="library", building_abbreviation="LIB", address="749 E Thach Ave")
    db.session.add(library)
    db.session.commit()
    editor, event = _series(app, meetings, facility_id=str(library.id))
    assert event.facility_id == library.id
    page = app.test_client().get(f"/calendars/city-meetings/events/{event.uid}").get_data(as_text=True)
    assert "Auburn Public Library, 749 E Thach Ave" in page
    found = app.test_client().get("/calendars/city-meetings/?location=public+library").get_data(as_text=True)
    assert "Story time" in found


def test_the_calendar_screens_tell_the_calendar_address_from_a_rooms_own_mailbox(app, meetings):
    editor, _ = staff_client(app, "calendars.editor")
    settings = editor.get(f"/staff/calendars/{meetings.id}/settings").get_data(as_text=True)
    assert "Where MyGov writes this calendar’s published events" in settings
    assert "a room’s own mailbox, its identity in Outlook’s room finder and invitations, is set on the room" in settings
