"""The outbox, the dead-letter email and the Teams card name the person, group, room or email,
not ids; all dead operations can be retried at once, after a confirmation."""
from __future__ import annotations

from sqlalchemy import select

from app.access.mappings import link_groups_by_name
from app.access.models import AuditEntry
from app.access.services import grant_role
from app.extensions import db
from app.jobs.models import GraphOperation
from app.jobs.notifications import notify_operation_failed
from app.microsoft import graph_client
from tests.factories import csrf_headers, make_employee, staff_client
from tests.jobs.helpers import drain

PUBLISHERS = "15277fe8-3f96-54e9-9fc5-03cdddb41e6b"  # the dev tenant's mygov-calendars-publisher


def _dead_membership_and_email(app, tenant) -> tuple[GraphOperation, GraphOperation]:
    link_groups_by_name(graph_client())
    db.session.commit()
    ethan = make_employee("Ethan Park", mail="ethan.park@auburnal.gov")
    ethan.entra_oid = tenant.server.control.user("ethan.park@auburnal.gov")["id"]
    db.session.commit()
    grant_role(ethan, "calendars.publisher", make_employee("Ada Admin"))
    operations = db.session.scalars(select(GraphOperation).order_by(GraphOperation.id)).all()
    for operation in operations:
        operation.status, operation.last_error_code = "dead", "Authorization_RequestDenied"
    db.session.commit()
    membership = next(o for o in operations if o.kind == "add_group_member")
    mail = next(o for o in operations if o.kind == "send_mail")
    return membership, mail


def test_the_outbox_and_the_alerts_name_the_person_and_the_group(app, tenant):
    admin, _ = staff_client(app, "platform.admin", name="Pat Admin")
    membership, mail = _dead_membership_and_email(app, tenant)

    rows = admin.get("/staff/ops/outbox").get_data(as_text=True).split("<tbody>")[1]
    assert "Add Ethan Park to mygov-calendars-publisher (Calendar publisher)" in rows
    assert "Email “You now hold Calendar publisher in MyGov” to ethan.park@auburnal.gov" in rows
    assert PUBLISHERS not in rows and membership.payload["user_id"] not in rows
    page = admin.get(f"/staff/ops/outbox/{membership.id}").get_data(as_text=True)
    assert f"<h1>Operation #{membership.id}: Add Ethan Park to mygov-calendars-publisher" in page

    app.config["TEAMS_WEBHOOK_URL"] = tenant.teams_webhook_url
    notify_operation_failed(membership)
    db.session.commit()
    alert = db.session.scalar(select(GraphOperation).where(GraphOperation.target_type == "notification",
                                                           GraphOperation.kind == "send_mail"))
    body = alert.payload["message"]["body"]["content"]
    assert "What: Add Ethan Park to mygov-calendars-publisher (Calendar publisher)" in body
    assert PUBLISHERS not in body
    card = db.session.scalar(select(GraphOperation).where(GraphOperation.kind == "teams_notify"))
    assert card.payload["facts"]["What"] == "Add Ethan Park to mygov-calendars-publisher (Calendar publisher)"


def test_retry_all_dead_asks_first_then_retries_every_one_and_is_audited(app, tenant):
    admin, _ = staff_client(app, "platform.admin", name="Pat Admin")
    membership, mail = _dead_membership_and_email(app, tenant)
    assert "Retry all 2 dead operations" in admin.get("/staff/ops/outbox").get_data(as_text=True)

    confirm = admin.get("/staff/ops/outbox/retry-dead").get_data(as_text=True)
    assert "Add Ethan Park to mygov-calendars-publisher" in confirm and "Retry 2 operations" in confirm
    unconfirmed = admin.post("/staff/ops/outbox/retry-dead", headers=csrf_headers(admin))
    assert unconfirmed.status_code == 422 and "Tick the box to confirm." in unconfirmed.get_data(as_text=True)
    db.session.expire_all()
    assert {membership.status, mail.status} == {"dead"}

    done = admin.post("/staff/ops/outbox/retry-dead", data={"confirm": "y"}, headers=csrf_headers(admin),
                      follow_redirects=True)
    assert "2 dead operations will be tried again now." in done.get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.retry_all_dead"))
    assert entry.actor_label == "Pat Admin" and sorted(entry.after["operations"]) == sorted([membership.id, mail.id])
    drain()
    db.session.expire_all()
    assert {membership.status, mail.status} == {"done"}
    assert membership.payload["user_id"] in tenant.group_members(PUBLISHERS)


def test_reservation_and_calendar_writes_are_named_by_reference_room_and_title(app):
    from datetime import datetime, timedelta, timezone

    from app.calendars.models import Calendar, CalendarEvent
    from app.jobs.labels import describe
    from app.jobs.outbox import record_operation
    from app.reservations.models import Reservation
    from tests.reservations.helpers import make_room

    space = make_room()
    start = datetime(2030, 5, 1, 15, tzinfo=timezone.utc)
    booking = Reservation(reference="R7K2Q", space=space, requester_name="Ann", requester_email="ann@example.org",
                          purpose="Book club", attendees=5, start_at=start, end_at=start + timedelta(hours=1),
                          manage_token="t" * 32)
    parks = Calendar(name="Parks", slug="parks", time_zone="America/Chicago")
    event = CalendarEvent(calendar=parks, uid="u@test", title="Park cleanup", start_at=start,
                          end_at=start + timedelta(hours=1), time_zone="America/Chicago", status="published")
    db.session.add_all([booking, parks, event])
    db.session.commit()
    removal = record_operation("delete_event", target_type="reservation", target_id=str(booking.id),
                               payload={"mailbox": space.exchange_resource_mailbox}, idempotency_key="k-r")
    publish = record_operation("create_event", target_type="calendar_event", target_id=str(event.id),
                               payload={"mailbox": "parks@auburnal.gov"}, idempotency_key="k-c")
    db.session.commit()
    assert describe(removal) == "Delete the event of reservation R7K2Q (Study Room A, Auburn Public Library)"
    assert describe(publish) == "Create the event “Park cleanup” of the calendar Parks"
