"""Applying an Outlook change keeps what staff added or edited on the website (issue 20, point 5)."""
from __future__ import annotations

from sqlalchemy import select

from app.access.models import AuditEntry

from app.calendars.models import CalendarCategory, CalendarEvent, OutlookImportSource
from app.extensions import db
from app.facilities.models import Facility
from app.graph import calendar as graph_calendar
from app.jobs.actions import load_actions
from app.mail.models import EmailMessage
from app.microsoft import graph_client
from tests.calendars.test_outlook_import import ROOM, _imported, _publish, outlook_event, programs, source  # noqa: F401
from tests.factories import csrf_headers, staff_client


def _enrich(event: CalendarEvent) -> Facility:
    library = Facility(name="Auburn Public Library", slug="library", building_abbreviation="LIB")
    db.session.add(library)
    db.session.flush()
    db.session.add_all([CalendarCategory(calendar_id=event.calendar_id, name=name) for name in ("Family", "Teens")])
    event.facility_id, event.category = library.id, "Family"
    event.description = "<p>Bring the whole family; free popcorn.</p>"
    db.session.commit()
    return library


def test_an_outlook_apply_keeps_the_facility_category_and_public_description(app, source):
    created = outlook_event("Film night")
    publisher, _ = staff_client(app, "calendars.publisher")
    _publish(publisher, [created["id"]])
    event = _imported()[0]
    library = _enrich(event)
    graph_calendar.update_event(graph_client(), ROOM, created["id"], {
        "subject": "Film night (new film)", "categories": ["Teens"],
        "body": {"contentType": "html", "content": "<p>Outlook's new text.</p>"}})

    applied = publisher.post(f"/staff/outlook/events/{event.id}/changes/apply", headers=csrf_headers(publisher))
    assert applied.status_code == 303
    db.session.expire_all()
    assert event.title == "Film night (new film)"
    assert (event.facility_id, event.category) == (library.id, "Family")
    assert event.description == "<p>Bring the whole family; free popcorn.</p>"


def test_staff_keep_the_website_title_field_by_field_until_outlook_changes_it_again(app, source):
    created = outlook_event("Chess club")
    publisher, _ = staff_client(app, "calendars.publisher")
    _publish(publisher, [created["id"]])
    event = _imported()[0]
    graph_calendar.update_event(graph_client(), ROOM, created["id"], {
        "subject": "Chess club (Outlook)", "location": {"displayName": "Room B"}})
    review = publisher.get(f"/staff/outlook/events/{event.id}/changes").get_data(as_text=True)
    assert 'name="take_title" value="outlook" checked' in review

    publisher.post(f"/staff/outlook/events/{event.id}/changes/apply", headers=csrf_headers(publisher),
                   data={"take_title": "website", "take_location": "outlook"})
    db.session.expire_all()
    assert (event.title, event.location) == ("Chess club", "Room B")
    review = publisher.get(f"/staff/outlook/events/{event.id}/changes").get_data(as_text=True)
    assert "The website's version was kept" in review and 'name="take_title" value="website" checked' in review
    audit = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "calendar_event.apply_outlook_change")).one()
    assert (audit.after["taken"], audit.after["kept"]) == (["location"], ["title"])

    graph_calendar.update_event(graph_client(), ROOM, created["id"], {"subject": "Chess club (again)"})
    review = publisher.get(f"/staff/outlook/events/{event.id}/changes").get_data(as_text=True)
    assert "Chess club (again)" in review and "<br>in Outlook" in review


def test_a_publisher_adds_their_own_or_a_shared_calendar_as_a_source_but_no_other(app, programs):
    publisher, person = staff_client(app, "calendars.publisher", name="Cal Publisher")
    form = {"name": "Program room", "mailbox": ROOM, "calendar_id": str(programs.id)}
    refused = publisher.post("/staff/outlook/sources", data=form, headers=csrf_headers(publisher))
    assert refused.status_code == 422 and "one shared with you in Outlook" in refused.get_data(as_text=True)
    graph_calendar.share_calendar(graph_client(), ROOM, person.mail, role="limitedRead")
    refused = publisher.post("/staff/outlook/sources", data=form, headers=csrf_headers(publisher))
    assert refused.status_code == 422  # subject and place only: not enough to publish from
    graph_calendar.share_calendar(graph_client(), ROOM, person.mail, role="read")
    added = publisher.post("/staff/outlook/sources", data=form, headers=csrf_headers(publisher))
    assert added.status_code == 303
    assert db.session.scalars(select(OutlookImportSource.mailbox)).all() == [ROOM.lower()]
    page = publisher.get("/staff/outlook/sources").get_data(as_text=True)
    assert "Program room" in page and "/delete" not in page  # removing stays with platform admins


def test_the_server_job_finds_changed_and_deleted_outlook_events_and_tells_the_publishers_once(app, source):
    changed, deleted, same = (outlook_event(t) for t in ("Author talk", "Film night", "Chess club"))
    publisher, person = staff_client(app, "calendars.publisher", name="Cal Publisher")
    _publish(publisher, [changed["id"], deleted["id"], same["id"]])
    graph_calendar.update_event(graph_client(), ROOM, changed["id"], {"subject": "Author talk (new time)"})
    graph_calendar.delete_event(graph_client(), ROOM, deleted["id"])
    check = load_actions()["calendars.check_outlook_changes"].run

    assert check({}) == {"changed": 1, "deleted": 1, "unreadable": 0, "waiting": 2}
    mail = db.session.scalars(select(EmailMessage)).one()
    assert mail.recipient == person.mail and "2 published events were changed or deleted in Outlook" == mail.subject
    home = publisher.get("/staff/").get_data(as_text=True)
    assert "From Outlook (2 to review)" in home
    assert check({})["waiting"] == 2 and len(db.session.scalars(select(EmailMessage)).all()) == 1  # told once

    event = next(e for e in _imported() if e.outlook_event_id == changed["id"])
    publisher.post(f"/staff/outlook/events/{event.id}/changes/apply", headers=csrf_headers(publisher))
    assert "From Outlook (1 to review)" in publisher.get("/staff/").get_data(as_text=True)
    db.session.expire_all()
    assert event.title == "Author talk (new time)"
