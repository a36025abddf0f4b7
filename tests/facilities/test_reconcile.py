"""Reconcile room calendars: missing, extra and mismatched MyGov events found, repaired only on confirmation."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.access.models import AuditEntry
from app.calendars import services as calendar_services
from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db, limiter
from app.facilities import reconcile
from app.facilities.services import FacilitiesError
from app.graph.calendar import graph_datetime, parse_graph_datetime
from app.jobs.actions import load_actions
from app.microsoft import graph_client
from app.reservations.models import Reservation
from app.sqltypes import utcnow
from tests.facilities.helpers import admin, post
from tests.factories import make_employee, staff_client
from tests.jobs.helpers import drain
from tests.reservations.helpers import booking_form, make_room, next_open_day, submit

ROOM = "rm_LIB_StudyRoomA@auburnal.gov"


@pytest.fixture
def room(app):
    limiter.reset()
    space = make_room()
    space.provisioning_state = "active"
    db.session.commit()
    return space


def _reserve(app, space) -> Reservation:
    submit(app.test_client(), space, booking_form(next_open_day(), "14:00", "15:00"))
    drain()
    return db.session.scalars(select(Reservation)).one()


def _published_event(space) -> CalendarEvent:
    calendar = Calendar(name="Library programs", slug="library-programs", time_zone="America/Chicago",
                        exchange_calendar_address=space.exchange_resource_mailbox)
    start = (utcnow() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    event = CalendarEvent(calendar=calendar, uid=f"{uuid.uuid4()}@auburnal.gov", title="Story time",
                          start_at=start, end_at=start + timedelta(hours=1), time_zone="America/Chicago")
    db.session.add(event)
    db.session.commit()
    calendar_services.publish_event(event, make_employee("Pat Publisher"))
    drain()
    return event


def _stray_event(tenant) -> dict:
    start = (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return tenant.server.control.add_event(ROOM, {
        "subject": "MyGov reservation R-GONE", "categories": ["MyGov"], "showAs": "busy",
        "start": graph_datetime(start), "end": graph_datetime(start + timedelta(hours=1))})


def test_a_clean_room_calendar_reports_nothing(app, tenant, room):
    _reserve(app, room)
    _published_event(room)
    summary = load_actions()["facilities.reconcile_room_calendars"].run({})
    assert summary == {"rooms": 1, "missing": 0, "extra": 0, "mismatched": 0, "overlaps": 0, "errors": 0}


def test_missing_extra_and_mismatched_events_are_reported_and_repaired_after_confirmation(app, tenant, room):
    reservation = _reserve(app, room)
    event = _published_event(room)
    control = tenant.server.control
    control.remove_event(ROOM, event.exchange_event_id)  # deleted in Outlook
    moved = reservation.start_at + timedelta(hours=1)
    control.update_event(ROOM, reservation.exchange_event_id, start=graph_datetime(moved),
                         end=graph_datetime(moved + timedelta(hours=1)))  # dragged in Outlook
    stray = _stray_event(tenant)  # its reservation is long gone
    outlook_own = control.add_event(ROOM, {"subject": "Staff meeting", "showAs": "busy",
                                           "start": stray["start"], "end": stray["end"]})

    client = staff_client(app, "facilities.editor", name="Eddie Editor")[0]
    post(client, "/staff/facilities/reconcile/check", token_from="/staff/facilities/reconcile")
    drift = {(row.change, row.source) for row in reconcile.stored_drift()}
    assert drift == {("missing", "calendar_event"), ("mismatched", "reservation"), ("extra", "exchange")}
    page = client.get("/staff/facilities/reconcile").get_data(as_text=True)
    assert "Story time" in page and "R-GONE" in page and "Staff meeting" not in page  # not MyGov's: left alone
    assert "Repair the room calendars" not in page  # editors see; admins repair

    manager = admin(app)
    page = manager.get("/staff/facilities/reconcile").get_data(as_text=True)
    fingerprint = page.split('name="fingerprint" type="hidden" value="')[1].split('"')[0]
    before = [(e["id"], e["start"]) for e in control.events(ROOM)]
    unconfirmed = post(manager, "/staff/facilities/reconcile/repair", {"fingerprint": fingerprint},
                       token_from="/staff/facilities/reconcile")
    drain()
    assert unconfirmed.status_code == 303 and [(e["id"], e["start"]) for e in control.events(ROOM)] == before
    post(manager, "/staff/facilities/reconcile/repair", {"fingerprint": fingerprint, "confirm": "y"},
         token_from="/staff/facilities/reconcile")
    drain()
    events = {e["id"]: e for e in control.events(ROOM)}
    assert stray["id"] not in events and outlook_own["id"] in events
    db.session.expire_all()
    assert event.exchange_event_id in events and events[event.exchange_event_id]["subject"] == "Story time"
    assert parse_graph_datetime(events[reservation.exchange_event_id]["start"]) == reservation.start_at
    assert reconcile.check_rooms(graph_client())["missing"] == 0 and reconcile.stored_drift() == []
    entry = db.session.scalar(select(AuditEntry).filter_by(action="facilities.reconcile_room_calendars"))
    assert (entry.after["missing"], entry.after["extra"], entry.after["mismatched"]) == (1, 1, 1)


def test_a_confirmation_for_different_differences_is_refused(app, tenant, room):
    _reserve(app, room)
    reconcile.check_rooms(graph_client())
    shown = reconcile.fingerprint(reconcile.stored_drift())
    _stray_event(tenant)  # appears after staff looked
    with pytest.raises(FacilitiesError, match="changed since that check"):
        reconcile.repair(graph_client(), shown, make_employee("Fran Facilities"))
    assert len(reconcile.stored_drift()) == 1  # the fresh check is what the screen shows now


def test_a_reservation_event_deleted_in_outlook_is_written_again(app, tenant, room):
    reservation = _reserve(app, room)
    tenant.server.control.remove_event(ROOM, reservation.exchange_event_id)
    reconcile.check_rooms(graph_client())
    rows = reconcile.stored_drift()
    assert [(r.change, r.source_id) for r in rows] == [("missing", reservation.id)]
    assert reconcile.repair(graph_client(), reconcile.fingerprint(rows), make_employee("Fran Facilities")) == 1
    drain()
    db.session.expire_all()
    assert reservation.exchange_event_id in {e["id"] for e in tenant.server.control.events(ROOM)}


def test_events_outside_the_window_are_not_drift(app, tenant, room):
    start = utcnow() + timedelta(days=90)
    tenant.server.control.add_event(ROOM, {"subject": "MyGov reservation R-LATER", "categories": ["MyGov"],
                                           "start": graph_datetime(start), "end": graph_datetime(start + timedelta(hours=1))})
    assert reconcile.check_rooms(graph_client(), days=30)["extra"] == 0
    assert reconcile.check_rooms(graph_client(), days=120)["extra"] == 1


def test_an_event_whose_delete_is_still_queued_is_not_reported(app, tenant, room):
    from app.reservations import services as reservation_services
    reservation = _reserve(app, room)
    with app.test_request_context():
        reservation_services.cancel_by_citizen(reservation)  # delete_event queued, not yet run
    assert reconcile.check_rooms(graph_client())["extra"] == 0
    drain()
    assert reconcile.check_rooms(graph_client())["extra"] == 0
