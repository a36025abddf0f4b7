"""Managed categories, uploaded images and deleting events (issue 20, point 2)."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from icalendar import Calendar as ICalendar
from sqlalchemy import select

from app.access.models import AuditEntry
from app.calendars.models import CalendarCategory, CalendarEvent
from app.extensions import db
from app.jobs.models import GraphOperation
from tests.factories import csrf_headers, staff_client
from tests.people.helpers import png_bytes



@pytest.fixture(autouse=True)
def image_store(app, tmp_path):
    previous = app.config.get("IMAGE_STORE_DIR")
    app.config["IMAGE_STORE_DIR"] = str(tmp_path / "images")
    yield
    app.config["IMAGE_STORE_DIR"] = previous


def _event_form(**fields) -> dict:
    return {"title": "Lego club", "start_date": "2027-04-06", "start_time": "16:00", "end_time": "17:00", **fields}


def test_staff_add_rename_and_retire_categories_that_the_editor_and_public_filters_use(app, meetings):
    editor, _ = staff_client(app, "calendars.editor", "calendars.publisher")
    base = f"/staff/calendars/{meetings.id}/categories"
    refused = editor.post(base, data={"name": "  "}, headers=csrf_headers(editor))
    assert refused.status_code == 422 and 'id="error-name"' in refused.get_data(as_text=True)
    for name in ("Government", "Youth"):
        assert editor.post(base, data={"name": name}, headers=csrf_headers(editor)).status_code == 303
    assert editor.post(base, data={"name": "Youth"}, headers=csrf_headers(editor)).status_code == 422  # twice

    form = editor.get(f"/staff/calendars/{meetings.id}/events/new").get_data(as_text=True)
    assert '<option value="Government"' in form and '<option value="Youth"' in form
    made_up = editor.post(f"/staff/calendars/{meetings.id}/events/new", data=_event_form(category="Sports"),
                          headers=csrf_headers(editor))
    assert made_up.status_code == 422 and "Choose one of the categories of City Meetings" in made_up.get_data(as_text=True)
    assert editor.post(f"/staff/calendars/{meetings.id}/events/new", data=_event_form(category="Youth"),
                       headers=csrf_headers(editor)).status_code == 303
    event = db.session.scalars(select(CalendarEvent)).one()
    meetings.exchange_calendar_address = None
    db.session.commit()
    editor.post(f"/staff/calendars/events/{event.id}/publish", headers=csrf_headers(editor))

    youth = db.session.scalars(select(CalendarCategory).where(CalendarCategory.name == "Youth")).one()
    assert editor.post(f"/staff/calendars/categories/{youth.id}/rename", data={"name": "Teens"},
                       headers=csrf_headers(editor)).status_code == 303
    db.session.expire_all()
    assert event.category == "Teens"
    public = app.test_client()
    page = public.get("/calendars/city-meetings/").get_data(as_text=True)
    assert '<option value="Teens"' in page and '<option value="Government"' in page and "Youth" not in page
    assert "CATEGORIES:Teens" in public.get("/calendars/city-meetings.ics").get_data(as_text=True)

    editor.post(f"/staff/calendars/categories/{youth.id}/retire", headers=csrf_headers(editor))
    again = editor.get(f"/staff/calendars/events/{event.id}").get_data(as_text=True)
    assert '<option value="Teens" selected>' in again  # the event keeps its retired category ...
    other = editor.get(f"/staff/calendars/{meetings.id}/events/new").get_data(as_text=True)
    assert '<option value="Teens"' not in other  # ... which is no longer offered
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("calendar_category.%"))).all() == [
        "calendar_category.add", "calendar_category.add", "calendar_category.rename", "calendar_category.retire"]


def test_an_image_is_uploaded_with_a_required_description_and_checked_like_room_photos(app, meetings):
    editor, _ = staff_client(app, "calendars.editor")
    url = f"/staff/calendars/{meetings.id}/events/new"
    image = png_bytes()
    unexplained = editor.post(url, data={**_event_form(), "image": (io.BytesIO(image), "lego.png")},
                              headers=csrf_headers(editor), content_type="multipart/form-data")
    assert unexplained.status_code == 422 and "Describe the image" in unexplained.get_data(as_text=True)
    fake = editor.post(url, data={**_event_form(image_alt="Bricks"), "image": (io.BytesIO(b"<svg onload=x>"), "x.png")},
                       headers=csrf_headers(editor), content_type="multipart/form-data")
    assert fake.status_code == 422 and "must be a JPEG, PNG or WebP image" in fake.get_data(as_text=True)
    assert db.session.scalars(select(CalendarEvent)).all() == []
    saved = editor.post(url, data={**_event_form(image_alt="Children building with bricks"),
                                   "image": (io.BytesIO(image), "lego.png")},
                        headers=csrf_headers(editor), content_type="multipart/form-data")
    assert saved.status_code == 303
    event = db.session.scalars(select(CalendarEvent)).one()
    assert event.image_url.startswith("/calendars/images/") and event.image_alt == "Children building with bricks"
    served = app.test_client().get(event.image_url)
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert Image.open(io.BytesIO(served.data)).size == (1, 1)  # decoded and re-encoded by the shared checks


def test_a_draft_is_deleted_and_a_published_event_leaves_exchange_pages_and_feeds(app, meetings):
    publisher, _ = staff_client(app, "calendars.editor", "calendars.publisher")
    for title in ("Draft idea", "Budget hearing"):
        publisher.post(f"/staff/calendars/{meetings.id}/events/new", data=_event_form(title=title),
                       headers=csrf_headers(publisher))
    draft, hearing = db.session.scalars(select(CalendarEvent).order_by(CalendarEvent.id)).all()
    publisher.post(f"/staff/calendars/events/{hearing.id}/publish", headers=csrf_headers(publisher))
    citizen = app.test_client()
    assert hearing.uid in citizen.get("/calendars/city-meetings.ics").get_data(as_text=True)

    assert publisher.post(f"/staff/calendars/events/{draft.id}/delete", headers=csrf_headers(publisher)).status_code == 303
    assert db.session.get(CalendarEvent, draft.id) is None

    editor, _ = staff_client(app, "calendars.editor", name="Cal Editor")
    editor.post(f"/staff/calendars/events/{hearing.id}/delete", headers=csrf_headers(editor))
    db.session.expire_all()
    assert hearing.status == "published"  # an editor cannot delete a published event
    publisher.post(f"/staff/calendars/events/{hearing.id}/delete", headers=csrf_headers(publisher))
    db.session.expire_all()
    assert hearing.status == "deleted"
    feed = ICalendar.from_ical(citizen.get("/calendars/city-meetings.ics").get_data())
    assert feed.walk("VEVENT") == []  # removed at once: every client drops a UID missing from the feed
    assert citizen.get(f"/calendars/city-meetings/events/{hearing.uid}").status_code == 404
    assert "Budget hearing" not in citizen.get("/calendars/city-meetings/?from=2027-04-06&to=2027-04-06").get_data(as_text=True)
    assert ">Budget hearing</a>" not in publisher.get("/staff/calendars/").get_data(as_text=True)
    kinds = db.session.scalars(select(GraphOperation.kind).where(GraphOperation.target_id == str(hearing.id))
                               .order_by(GraphOperation.id)).all()
    assert kinds == ["create_event", "delete_event"]
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "calendar_event.delete")).all() == [
        "calendar_event.delete", "calendar_event.delete"]


@pytest.mark.parametrize("exchange", [True, False])
def test_the_deleted_notice_mentions_exchange_only_for_a_calendar_that_writes_there(app, meetings, exchange):
    from app.calendars.models import Calendar

    calendar = meetings if exchange else Calendar(name="Parks", slug="parks", time_zone="America/Chicago")
    db.session.add(calendar)
    db.session.commit()
    publisher, _ = staff_client(app, "calendars.editor", "calendars.publisher")
    publisher.post(f"/staff/calendars/{calendar.id}/events/new", data=_event_form(), headers=csrf_headers(publisher))
    event = db.session.scalars(select(CalendarEvent)).one()
    publisher.post(f"/staff/calendars/events/{event.id}/publish", headers=csrf_headers(publisher))

    deleted = publisher.post(f"/staff/calendars/events/{event.id}/delete", headers=csrf_headers(publisher),
                             follow_redirects=True).get_data(as_text=True)

    assert "is deleted. It is gone from the public pages and feeds" in deleted
    assert ("Exchange within a minute" in deleted) is exchange
