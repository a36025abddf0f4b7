"""MyGov writes only to mailboxes it may: rooms it manages or mailboxes a platform admin approved;
what Exchange itself refuses (RBAC for Applications) waits for IT without using up its attempts."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.access.models import AuditEntry
from app.calendars.models import Calendar, PublishingMailbox
from app.calendars.services import publish_event, save_event
from app.extensions import db
from app.graph import GraphError
from app.jobs.models import GraphOperation
from app.microsoft import graph_client
from app.sqltypes import utcnow
from tests.calendars.conftest import MAILBOX
from tests.calendars.test_publishing import _input
from tests.factories import csrf_headers, grant, make_employee, staff_client
from tests.jobs.helpers import drain
from tests.reservations.helpers import make_room

CITY_MANAGER = "megan.crouch@auburnal.gov"
ROOM = "rm_LIB_StudyRoomA@auburnal.gov"


def _new_calendar(client, address: str):
    return client.post("/staff/calendars/new", headers=csrf_headers(client), data={
        "name": "Parks Events", "slug": "parks", "description": "", "is_public": "y",
        "time_zone": "America/Chicago", "exchange_calendar_address": address,
    })


def test_a_calendar_cannot_be_pointed_at_a_persons_mailbox(app):
    editor, _ = staff_client(app, "calendars.editor")
    refused = _new_calendar(editor, CITY_MANAGER)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="error-exchange_calendar_address"' in html and 'aria-invalid="true"' in html
    assert "only to a room mailbox it manages or to a mailbox a platform administrator" in html
    assert db.session.scalars(select(Calendar)).all() == []

    make_room(ROOM.upper())  # a room MyGov manages, whatever the case of its address
    assert _new_calendar(editor, ROOM).status_code == 303


def test_a_platform_admin_approves_a_mailbox_audited_and_cannot_withdraw_it_while_used(app):
    editor, _ = staff_client(app, "calendars.editor", name="Cal Editor")
    assert editor.get("/staff/calendars/mailboxes/").status_code == 403
    admin, _ = staff_client(app, "platform.admin", name="Pat Admin")
    missing_reason = admin.post("/staff/calendars/mailboxes/", headers=csrf_headers(admin),
                                data={"address": "Events@auburnal.gov", "reason": ""})
    assert missing_reason.status_code == 422 and 'id="error-reason"' in missing_reason.get_data(as_text=True)
    approved = admin.post("/staff/calendars/mailboxes/", headers=csrf_headers(admin),
                          data={"address": "Events@auburnal.gov", "reason": "Parks events calendar"})
    assert approved.status_code == 303
    assert db.session.scalar(select(PublishingMailbox.address)) == "events@auburnal.gov"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "publishing_mailbox.approve")).one()
    assert entry.after == {"address": "events@auburnal.gov", "reason": "Parks events calendar"}

    assert _new_calendar(editor, "events@auburnal.gov").status_code == 303
    approval = db.session.scalars(select(PublishingMailbox)).one()
    withdraw = f"/staff/calendars/mailboxes/{approval.id}/withdraw"
    refused = admin.post(withdraw, headers=csrf_headers(admin))
    assert refused.status_code == 409 and "Parks Events still publish to events@auburnal.gov" in refused.get_data(as_text=True)
    calendar = db.session.scalars(select(Calendar)).one()
    calendar.exchange_calendar_address = None
    db.session.commit()
    assert admin.post(withdraw, headers=csrf_headers(admin)).status_code == 303
    assert db.session.scalars(select(PublishingMailbox)).all() == []
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "publishing_mailbox.withdraw"


def test_the_dev_tenant_refuses_a_mailbox_outside_the_apps_exchange_scope_as_exchange_does(app, tenant):
    tenant.scope_exchange_access([MAILBOX])
    graph_client().get(f"/users/{MAILBOX}/events", params={"$top": 1})
    try:
        graph_client().get(f"/users/{CITY_MANAGER}/events", params={"$top": 1})
    except GraphError as error:
        assert (error.status, error.code) == (403, "ErrorAccessDenied")
        assert error.message == "Access is denied. Check credentials and try again." and error.request_id
    else:
        raise AssertionError("a mailbox outside the scope was readable")


def test_a_write_exchange_refuses_waits_for_it_without_using_up_its_attempts(app, meetings, tenant):
    tenant.scope_exchange_access([ROOM])  # IT scoped MyGov to the rooms, not yet the meetings calendar
    publisher = make_employee("Cal Publisher")
    grant(publisher, "calendars.publisher")
    event = save_event(meetings, None, _input(), publisher)
    publish_event(event, publisher)
    for _ in range(int(app.config["OUTBOX_MAX_ATTEMPTS"]) + 2):  # more refusals than attempts allow
        drain()
        operation = db.session.scalars(select(GraphOperation)).one()
        assert (operation.status, operation.attempts, operation.last_error_code) == ("pending", 0, "ErrorAccessDenied")
        assert operation.next_attempt_at > utcnow() + timedelta(minutes=50)  # tried again in an hour
        operation.next_attempt_at = None  # as the sweeper does when it is due
        db.session.commit()
        from app.jobs.dispatch import enqueue_operation

        enqueue_operation(operation.id, operation.queue)
    drain()

    editor, _ = staff_client(app, "calendars.editor", name="Cal Editor")
    page = editor.get("/staff/calendars/").get_data(as_text=True)
    assert "Waiting for IT:" in page and f"changes to this calendar’s Exchange calendar ({MAILBOX})" in page
    assert "1 change waits" in page
    assert "Council meeting" not in [e["subject"] for e in tenant.events(MAILBOX)]

    tenant.scope_exchange_access([ROOM, MAILBOX])  # IT added it to the scope
    fixed = editor.post("/staff/ops/waiting-for-it", headers=csrf_headers(editor),
                        data={"mailbox": MAILBOX, "next": "/staff/calendars/"})
    assert fixed.status_code == 303 and fixed.headers["Location"].endswith("/staff/calendars/")
    drain()
    assert db.session.scalars(select(GraphOperation.status)).one() == "done"
    assert [e["subject"] for e in tenant.events(MAILBOX)].count("Council meeting") == 1
    assert "Waiting for IT" not in editor.get("/staff/calendars/").get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "outbox.retry_waiting_for_it"


def _doctor_finding(app) -> str:
    output = app.test_cli_runner().invoke(args=["mygov", "doctor"]).output
    return next(line for line in output.splitlines() if "exchange scope" in line)


def test_doctor_expects_exchange_to_refuse_the_probe_mailbox(app, tenant):
    assert "ok" in _doctor_finding(app) and "not checked" in _doctor_finding(app)
    app.config["EXCHANGE_SCOPE_PROBE_MAILBOX"] = CITY_MANAGER
    unscoped = _doctor_finding(app)
    assert unscoped.startswith("PROBLEM") and "can read the calendar of megan.crouch@auburnal.gov" in unscoped
    tenant.scope_exchange_access([ROOM, MAILBOX])
    scoped = _doctor_finding(app)
    assert scoped.startswith("ok") and "refuses MyGov the calendar of megan.crouch@auburnal.gov" in scoped


def test_a_room_whose_bookings_exchange_refuses_shows_waiting_for_it_on_its_page(app, tenant):
    from tests.jobs.helpers import record_event

    tenant.scope_exchange_access([MAILBOX])  # a new room IT has not added to the scope yet
    room = make_room(ROOM)
    record_event("create_event", "7", "booking-7", mailbox=ROOM)
    db.session.commit()
    drain()
    viewer, _ = staff_client(app, "facilities.editor", name="Fay Facilities")
    page = viewer.get(f"/staff/facilities/spaces/{room.id}/").get_data(as_text=True)
    assert f"Waiting for IT:</strong> Exchange refuses MyGov’s changes to this room ({ROOM})" in page
    assert "IT has fixed it: try now" in page


def test_production_doctor_reports_a_missing_probe_mailbox(app, tenant):
    app.config["MYGOV_ENV"] = "production"
    finding = _doctor_finding(app)
    assert finding.startswith("PROBLEM") and "EXCHANGE_SCOPE_PROBE_MAILBOX is not set" in finding


def test_a_calendar_saved_with_a_persons_mailbox_before_the_check_writes_nothing_there(app, tenant):
    """The attack of the review: the address was set before MyGov checked addresses."""
    calendar = Calendar(name="Manager", slug="manager", time_zone="America/Chicago",
                        exchange_calendar_address=CITY_MANAGER)
    db.session.add(calendar)
    db.session.commit()
    publisher = make_employee("Cal Publisher")
    grant(publisher, "calendars.publisher", "calendars.editor")
    event = save_event(calendar, None, _input(title="Planted"), publisher)
    publish_event(event, publisher)
    drain()
    assert db.session.scalars(select(GraphOperation)).all() == []
    assert "Planted" not in [e["subject"] for e in tenant.events(CITY_MANAGER)]
    editor, _ = staff_client(app, "calendars.editor", name="Cal Editor")
    page = editor.get("/staff/calendars/").get_data(as_text=True)
    assert f"MyGov does not write this calendar’s events to {CITY_MANAGER}" in page


def test_a_platform_admin_finds_publishing_mailboxes_in_the_staff_menu(app):
    admin, _ = staff_client(app, "platform.admin", name="Pat Admin")
    home = admin.get("/staff/").get_data(as_text=True)
    assert '<a href="/staff/calendars/mailboxes/"' in home and ">Publishing mailboxes</a>" in home
    editor, _ = staff_client(app, "calendars.editor", name="Cal Editor")
    assert "/staff/calendars/mailboxes/" not in editor.get("/staff/").get_data(as_text=True)
