"""Publishing chosen Outlook events to the website, against the dev tenant over HTTPS (issue 10)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar as ICalendar
from sqlalchemy import select

from app.access.models import AuditEntry
from app.calendars.models import Calendar, CalendarCategory, CalendarEvent, OutlookImportSource
from app.extensions import db
from app.graph import calendar as graph_calendar
from app.microsoft import graph_client
from tests.factories import csrf_headers, staff_client

ROOM = "rm_LIB_ProgramRoom@auburnal.gov"
RANGE = {"from": "2027-03-01", "to": "2027-03-31"}
CENTRAL = "Central Standard Time"


@pytest.fixture
def programs(app, tenant) -> Calendar:
    calendar = Calendar(name="Library Programs", slug="library-programs", time_zone="America/Chicago")
    db.session.add(calendar)
    db.session.commit()
    return calendar


@pytest.fixture
def source(programs) -> OutlookImportSource:
    source = OutlookImportSource(name="Library program room", mailbox=ROOM.lower(), calendar=programs)
    db.session.add(source)
    db.session.commit()
    return source


def outlook_event(subject: str, day: str = "2027-03-09", start: str = "18:00", end: str = "19:30",
                  end_day: str | None = None, **fields) -> dict:
    body = {"subject": subject, "start": {"dateTime": f"{day}T{start}:00", "timeZone": CENTRAL},
            "end": {"dateTime": f"{end_day or day}T{end}:00", "timeZone": CENTRAL},
            "body": {"contentType": "html", "content": f"<p>{subject} for everyone.</p>"}, **fields}
    return graph_calendar.create_event(graph_client(), ROOM, body)


def _listing(client, **args) -> str:
    response = client.get(f"/staff/outlook/sources/{_source_id()}/events", query_string={**RANGE, **args})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _source_id() -> int:
    return db.session.scalars(select(OutlookImportSource.id)).one()


def _publish(client, ids: list[str], status: str = "published"):
    return client.post(f"/staff/outlook/sources/{_source_id()}/publish", headers=csrf_headers(client),
                       data={"outlook_id": ids, "status": status, **RANGE})


def _imported() -> list[CalendarEvent]:
    return list(db.session.scalars(select(CalendarEvent).where(CalendarEvent.source == "outlook")
                                   .order_by(CalendarEvent.id)))


def test_a_publisher_publishes_two_of_five_room_events_and_the_list_then_shows_them(app, source):
    created = [outlook_event(f"Program {n}", day=f"2027-03-{n + 10:02d}") for n in range(5)]
    publisher, _ = staff_client(app, "calendars.publisher")
    page = _listing(publisher)
    assert "5 events in Outlook" in page and page.count('name="outlook_id"') == 5
    assert "Imported</span>" not in page

    answer = _publish(publisher, [created[1]["id"], created[3]["id"]])
    assert answer.status_code == 303
    events = _imported()
    assert [(e.title, e.status, e.outlook_event_id) for e in events] == [
        ("Program 1", "published", created[1]["id"]), ("Program 3", "published", created[3]["id"])]
    assert all(e.outlook_source_id == source.id and e.calendar_id == source.calendar_id for e in events)

    page = _listing(publisher)
    assert page.count("Imported</span>") == 2 and page.count('name="outlook_id"') == 3
    # The same Outlook event is never imported twice.
    _publish(publisher, [created[1]["id"]])
    assert len(_imported()) == 2
    assert "already on the website" in publisher.get(answer.headers["Location"]).get_data(as_text=True)


def test_published_events_carry_title_description_times_zone_place_category_and_recurrence(app, source):
    series = outlook_event(
        "Story time", day="2027-03-02", start="10:00", end="10:45", categories=["Library", "Children"],
        location={"displayName": "Program Room"},
        recurrence={"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"], "firstDayOfWeek": "sunday"},
                    "range": {"type": "numbered", "startDate": "2027-03-02", "numberOfOccurrences": 4}})
    db.session.add(CalendarCategory(calendar_id=source.calendar_id, name="Children"))  # Outlook's first is unknown
    db.session.commit()
    publisher, _ = staff_client(app, "calendars.publisher")
    page = _listing(publisher)
    assert page.count('name="outlook_id"') == 1  # the series is one row ...
    assert "Series: 4 dates in this range" in page  # ... with its occurrences
    _publish(publisher, [series["id"]], status="draft")
    event = _imported()[0]
    assert (event.title, event.status, event.location, event.category) == ("Story time", "draft", "Program Room", "Children")
    assert event.description == "<p>Story time for everyone.</p>"
    assert event.time_zone == "America/Chicago"
    assert event.start_at.isoformat() == "2027-03-02T16:00:00+00:00" and event.end_at.isoformat() == "2027-03-02T16:45:00+00:00"
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TU;WKST=SU;COUNT=4"
    assert event.outlook_change_key == graph_calendar.get_event(graph_client(), ROOM, series["id"])["changeKey"]
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(event.id))).all() == [
        "calendar_event.save", "calendar_event.import_outlook"]
    public = app.test_client().get(f"/calendars/library-programs/events/{event.uid}")
    assert public.status_code == 404  # a draft is not on the website


def test_an_all_day_event_keeps_its_days(app, source):
    outlook_event("Spring book sale", day="2027-03-20", start="00:00", end="00:00", end_day="2027-03-22",
                  isAllDay=True)
    publisher, _ = staff_client(app, "calendars.publisher")
    item_id = re.search(r'name="outlook_id" value="([^"]+)"', _listing(publisher)).group(1)
    _publish(publisher, [item_id])
    event = _imported()[0]
    assert (event.all_day, event.start_date.isoformat(), event.end_date.isoformat()) == (True, "2027-03-20", "2027-03-22")


def _sequence(client, uid: str) -> int:
    feed = ICalendar.from_ical(client.get("/calendars/library-programs.ics").get_data())
    vevent = next(v for v in feed.walk("VEVENT") if str(v["uid"]) == uid)
    return int(vevent.get("sequence", 0))


def test_a_change_in_outlook_is_flagged_and_applied_only_when_staff_choose(app, source):
    created = outlook_event("Author talk")
    publisher, _ = staff_client(app, "calendars.publisher")
    _publish(publisher, [created["id"]])
    event = _imported()[0]
    citizen = app.test_client()
    assert _sequence(citizen, event.uid) == 0
    graph_calendar.update_event(graph_client(), ROOM, created["id"], {
        "subject": "Author talk (moved)", "start": {"dateTime": "2027-03-09T17:00:00", "timeZone": CENTRAL},
        "end": {"dateTime": "2027-03-09T18:30:00", "timeZone": CENTRAL}})

    page = _listing(publisher)
    assert "Changed in Outlook" in page
    db.session.expire_all()
    assert (event.title, event.sequence) == ("Author talk", 0)  # listing changed nothing on the website

    review = publisher.get(f"/staff/outlook/events/{event.id}/changes").get_data(as_text=True)
    assert "Author talk (moved)" in review and "2027-03-09 18:00 to 2027-03-09 19:30" in review
    assert "2027-03-09 17:00 to 2027-03-09 18:30" in review and review.count("<strong>Changed</strong>") == 2

    applied = publisher.post(f"/staff/outlook/events/{event.id}/changes/apply", headers=csrf_headers(publisher))
    assert applied.status_code == 303
    db.session.expire_all()
    assert event.title == "Author talk (moved)" and event.start_at.isoformat() == "2027-03-09T23:00:00+00:00"
    assert event.sequence == 1 and _sequence(citizen, event.uid) == 1
    assert "Changed in Outlook" not in _listing(publisher)


def test_an_event_deleted_in_outlook_is_flagged_and_stays_on_the_website(app, source):
    created = outlook_event("Film night")
    publisher, _ = staff_client(app, "calendars.publisher")
    _publish(publisher, [created["id"]])
    graph_calendar.delete_event(graph_client(), ROOM, created["id"])
    page = _listing(publisher)
    assert "Deleted in Outlook" in page and "Film night" in page
    event = _imported()[0]
    assert event.status == "published"
    assert "no longer in Outlook" in publisher.get(f"/staff/outlook/events/{event.id}/changes").get_data(as_text=True)


@pytest.mark.parametrize("sensitivity", ["private", "confidential"])
def test_a_private_or_confidential_event_cannot_be_published(app, source, sensitivity):
    secret = outlook_event("Personnel review", sensitivity=sensitivity)
    publisher, _ = staff_client(app, "calendars.publisher")
    page = _listing(publisher)
    assert f"{sensitivity.capitalize()} in Outlook: cannot be published" in page
    assert 'name="outlook_id"' not in page and "Personnel review" not in page  # its details stay private
    answer = _publish(publisher, [secret["id"]])  # even when the id is posted by hand
    assert answer.status_code == 303 and _imported() == []
    assert "cannot be published" in publisher.get(answer.headers["Location"]).get_data(as_text=True)


HOSTILE = ('<html><head><style>p{color:red}</style><script>alert("head")</script></head><body>'
           '<p onclick="alert(1)">Join us <strong>Saturday</strong>.</p><img src=x onerror="alert(2)">'
           '<a href="javascript:alert(3)">click</a> <a href="https://auburnal.gov/library">Library</a>'
           '<svg onload="alert(4)"></svg><iframe src="https://evil.example"></iframe>'
           '<scr<script>ipt>alert(5)</script></body></html>')


def test_script_and_event_handler_markup_in_an_outlook_body_never_reaches_a_public_page(app, source):
    created = outlook_event("Open house", body={"contentType": "html", "content": HOSTILE})
    publisher, _ = staff_client(app, "calendars.publisher")
    _publish(publisher, [created["id"]])
    event = _imported()[0]
    page = app.test_client().get(f"/calendars/library-programs/events/{event.uid}").get_data(as_text=True)
    html = _description_on(page)
    assert "Join us <strong>Saturday</strong>." in html
    assert '<a href="https://auburnal.gov/library" rel="noopener noreferrer nofollow">Library</a>' in html
    for marker in ("<script", "<style", "onclick", "onerror", "onload", "javascript:", "<iframe", "<svg", "color:red",
                   'alert("head")', "alert(1)", "alert(2)", "alert(3)", "alert(4)"):
        assert marker not in html, marker
    assert "ipt&gt;alert(5)" in html  # the broken-up tag survives only as inert, escaped text
    assert page.count("<script") == page.count("<script src=")  # the layout's own files, nothing inline
    feed = ICalendar.from_ical(app.test_client().get("/calendars/library-programs.ics").get_data())
    description = str(next(v for v in feed.walk("VEVENT") if str(v["uid"]) == event.uid)["description"])
    assert description.startswith("Join us Saturday.") and "<" not in description and "alert(1)" not in description
    # Even markup typed later into the editor is cleaned on its way to the page.
    event.description += '<script>alert("typed")</script><b onmouseover="x()">bold</b>'
    db.session.commit()
    html = _description_on(app.test_client().get(f"/calendars/library-programs/events/{event.uid}").get_data(as_text=True))
    assert "<script" not in html and "typed" not in html and "onmouseover" not in html and "<b>bold</b>" in html


def _description_on(page: str) -> str:
    return page.split('<div class="usa-prose">', 1)[1].split("</div>", 1)[0]


def test_platform_admins_configure_any_source_and_bad_ones_are_refused_on_their_fields(app, programs):
    editor, _ = staff_client(app, "calendars.editor", name="Cal Editor")
    assert editor.get("/staff/outlook/sources").status_code == 403
    admin, _ = staff_client(app, "platform.admin", "calendars.publisher", name="Pat Admin")
    form = {"name": "", "mailbox": "not-an-address", "calendar_id": "", "outlook_calendar_id": ""}
    refused = admin.post("/staff/outlook/sources", data=form, headers=csrf_headers(admin))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert all(f'id="error-{name}"' in html for name in ("name", "mailbox", "calendar_id"))
    unknown = {"name": "Nobody", "mailbox": "nobody@auburnal.gov", "calendar_id": str(programs.id)}
    refused = admin.post("/staff/outlook/sources", data=unknown, headers=csrf_headers(admin))
    assert refused.status_code == 422 and "cannot read that mailbox" in refused.get_data(as_text=True)
    programs.exchange_calendar_address = "citymeetings@auburnal.gov"
    db.session.commit()
    loop = {**unknown, "mailbox": "citymeetings@auburnal.gov"}
    refused = admin.post("/staff/outlook/sources", data=loop, headers=csrf_headers(admin))
    assert refused.status_code == 422 and "would bring them back" in refused.get_data(as_text=True)
    good = {**unknown, "name": "Program room", "mailbox": ROOM}
    assert admin.post("/staff/outlook/sources", data=good, headers=csrf_headers(admin)).status_code == 303
    source = db.session.scalars(select(OutlookImportSource)).one()
    assert (source.mailbox, source.calendar_id) == (ROOM.lower(), programs.id)
    assert db.session.scalars(select(AuditEntry.action)).all() == ["outlook_source.create"]
    in_use = CalendarEvent(calendar=programs, uid="x@mygov", title="Chess club", time_zone="America/Chicago",
                           start_at=source.created_at, end_at=source.created_at + timedelta(hours=1),
                           source="outlook", outlook_source_id=source.id, outlook_event_id="AAMk-x")
    db.session.add(in_use)
    db.session.commit()
    kept = admin.post(f"/staff/outlook/sources/{source.id}/delete", headers=csrf_headers(admin))
    assert "stays so they keep their link" in admin.get(kept.headers["Location"]).get_data(as_text=True)
    db.session.delete(in_use)
    db.session.commit()
    admin.post(f"/staff/outlook/sources/{source.id}/delete", headers=csrf_headers(admin))
    assert db.session.scalars(select(OutlookImportSource)).all() == []
    assert db.session.scalars(select(AuditEntry.action)).all() == ["outlook_source.create", "outlook_source.delete"]


def test_a_publisher_must_choose_something_and_editors_cannot_publish_from_outlook(app, source):
    outlook_event("Chess club")
    publisher, _ = staff_client(app, "calendars.publisher")
    refused = _publish(publisher, [])
    assert refused.status_code == 422 and 'id="error-outlook_id"' in refused.get_data(as_text=True)
    editor, _ = staff_client(app, "calendars.editor", name="Cal Editor")
    assert editor.get(f"/staff/outlook/sources/{source.id}/events").status_code == 403
    assert _publish(editor, ["anything"]).status_code == 403 and _imported() == []


def test_the_help_page_says_outlook_is_read_only_until_published(app):
    staff, _ = staff_client(app)
    html = staff.get("/staff/outlook/help").get_data(as_text=True)
    assert "Outlook is read-only for the website" in html and "How to publish" in html


def _occurrences(series_id: str) -> list[dict]:
    from datetime import datetime, timezone

    window = (datetime(2027, 3, 1, tzinfo=timezone.utc), datetime(2027, 4, 1, tzinfo=timezone.utc))
    return [o for o in graph_calendar.calendar_view(graph_client(), ROOM, *window) if o.get("seriesMasterId") == series_id]


def test_a_series_keeps_its_moved_and_deleted_occurrences_and_later_ones_are_applied(app, source):
    series = outlook_event(
        "Story time", day="2027-03-02", start="10:00", end="10:45",
        recurrence={"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
                    "range": {"type": "numbered", "startDate": "2027-03-02", "numberOfOccurrences": 4}})
    first, second, third, fourth = (o["id"] for o in _occurrences(series["id"]))
    graph_calendar.update_event(graph_client(), ROOM, second, {
        "start": {"dateTime": "2027-03-10T10:00:00", "timeZone": CENTRAL},
        "end": {"dateTime": "2027-03-10T10:45:00", "timeZone": CENTRAL}})
    graph_calendar.delete_event(graph_client(), ROOM, third)
    publisher, _ = staff_client(app, "calendars.publisher")
    assert "(changed occurrence)" in _listing(publisher)
    _publish(publisher, [series["id"]])
    event = _imported()[0]
    assert sorted((o.recurrence_id.isoformat(), o.start_at.isoformat(), o.cancelled) for o in event.overrides) == [
        ("2027-03-09T16:00:00+00:00", "2027-03-10T16:00:00+00:00", False),
        ("2027-03-16T15:00:00+00:00", "2027-03-16T15:00:00+00:00", True)]
    page = app.test_client().get(f"/calendars/library-programs/events/{event.uid}").get_data(as_text=True)
    assert "Wednesday, March 10, 2027" in page
    assert re.search(r"Cancelled: <time[^>]*>Tuesday, March 16, 2027</time>", page)

    graph_calendar.update_event(graph_client(), ROOM, fourth, {"subject": "Story time (puppets)"})
    assert "Changed in Outlook" in _listing(publisher)
    review = publisher.get(f"/staff/outlook/events/{event.id}/changes").get_data(as_text=True)
    assert review.count("<strong>Changed</strong>") == 1 and "title “Story time (puppets)”" in review
    publisher.post(f"/staff/outlook/events/{event.id}/changes/apply", headers=csrf_headers(publisher))
    db.session.expire_all()
    assert len(event.overrides) == 3 and event.sequence == 1
    feed = ICalendar.from_ical(app.test_client().get("/calendars/library-programs.ics").get_data())
    assert "Story time (puppets)" in [str(v["summary"]) for v in feed.walk("VEVENT") if v.get("recurrence-id")]


def test_when_outlook_cannot_be_read_the_screen_says_so_and_nothing_changes(app, source, tenant):
    created = outlook_event("Chess club")
    publisher, _ = staff_client(app, "calendars.publisher")
    saved, app.config["GRAPH_MAX_ATTEMPTS"] = app.config.get("GRAPH_MAX_ATTEMPTS"), 1
    tenant.throttle(1.0, retry_after=0, status=503, path_prefix="/v1.0/users/")
    try:
        listed = publisher.get(f"/staff/outlook/sources/{source.id}/events", query_string=RANGE)
        assert listed.status_code == 503 and "Outlook could not be read just now" in listed.get_data(as_text=True)
        answer = _publish(publisher, [created["id"]])
        assert answer.status_code == 303 and _imported() == []
    finally:
        tenant.clear_faults()
        app.config["GRAPH_MAX_ATTEMPTS"] = saved
    assert "Outlook could not be read just now" in publisher.get(answer.headers["Location"]).get_data(as_text=True)


def test_every_page_of_calendar_view_is_read(app, source):
    outlook_event("Morning reading", day="2027-03-01", start="09:00", end="09:30",
                  recurrence={"pattern": {"type": "daily", "interval": 1},
                              "range": {"type": "endDate", "startDate": "2027-03-01", "endDate": "2027-06-30"}})
    publisher, _ = staff_client(app, "calendars.publisher")
    page = _listing(publisher, to="2027-06-30")  # 122 occurrences: more than one page of 100
    assert "Series: 122 dates in this range" in page and page.count('name="outlook_id"') == 1
    _publish(publisher, [re.search(r'name="outlook_id" value="([^"]+)"', page).group(1)])
    assert _imported()[0].rrule == "FREQ=DAILY;UNTIL=20270701T045959Z"  # RFC 5545: UTC beside a zoned start


def test_staff_enrich_a_published_event_in_the_editor_and_applying_a_change_keeps_it(app, source):
    created = outlook_event("Author talk")
    publisher, _ = staff_client(app, "calendars.publisher", "calendars.editor")
    _publish(publisher, [created["id"]])
    event = _imported()[0]
    form = publisher.get(f"/staff/calendars/events/{event.id}").get_data(as_text=True)
    fields = dict(re.findall(r'name="(title|start_date|start_time|end_date|end_time|location)"[^>]*value="([^"]*)"', form))
    assert fields["start_time"] == "18:00" and fields["location"] == ""
    saved = publisher.post(f"/staff/calendars/events/{event.id}", headers=csrf_headers(publisher), data={
        **fields, "description": event.description, "image_url": "https://auburnal.gov/img/author.jpg",
        "image_alt": "The author signing books", "registration_url": "https://auburnal.gov/register/author"})
    assert saved.status_code == 303
    graph_calendar.update_event(graph_client(), ROOM, created["id"], {"location": {"displayName": "Auditorium"}})
    publisher.post(f"/staff/outlook/events/{event.id}/changes/apply", headers=csrf_headers(publisher))
    db.session.expire_all()
    assert (event.location, event.image_alt, event.registration_url) == (
        "Auditorium", "The author signing books", "https://auburnal.gov/register/author")
    assert (event.source, event.outlook_event_id, event.start_at.isoformat()) == (
        "outlook", created["id"], "2027-03-10T00:00:00+00:00")
