"""Applying an Outlook change keeps what staff added or edited on the website (issue 20, point 5)."""
from __future__ import annotations

from sqlalchemy import select

from app.access.models import AuditEntry

from app.calendars.models import CalendarEvent
from app.extensions import db
from app.facilities.models import Facility
from app.graph import calendar as graph_calendar
from app.microsoft import graph_client
from tests.calendars.test_outlook_import import ROOM, _imported, _publish, outlook_event, programs, source  # noqa: F401
from tests.factories import csrf_headers, staff_client


def _enrich(event: CalendarEvent) -> Facility:
    library = Facility(name="Auburn Public Library", slug="library", building_abbreviation="LIB")
    db.session.add(library)
    db.session.flush()
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
