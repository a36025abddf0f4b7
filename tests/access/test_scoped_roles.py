"""Roles held for one facility, calendar or department: enforced wherever the role is checked, and
each scoped role has its own Entra group that MyGov writes."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.access import scopes
from app.access.mappings import create_missing_groups
from app.access.models import AuditEntry, GroupMapping, RoleAssignment
from app.access.permissions import can
from app.access.queries import holders
from app.access.services import grant_role, revoke_role
from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from app.jobs.sweeper import enqueue_due_retries
from app.reservations.models import Reservation
from app.sqltypes import utcnow
from tests.factories import csrf_headers, grant, make_employee, staff_client
from tests.jobs.helpers import drain


def _facility(name: str, slug: str) -> FacilitySpace:
    space = FacilitySpace(
        facility=Facility(name=name, slug=slug, building_abbreviation=slug[:3].upper(), address="Auburn, AL"),
        name="Meeting Room", slug="meeting-room", capacity=20, reservation_config=ReservationConfig(),
    )
    db.session.add(space)
    db.session.commit()
    return space


def _pending(space: FacilitySpace, requester: str) -> Reservation:
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3)
    reservation = Reservation(
        reference=secrets.token_hex(4).upper(), space=space, requester_name=requester,
        requester_email="ann@example.org", purpose="Meeting", attendees=5, start_at=start,
        end_at=start + timedelta(hours=1), status="pending", manage_token=secrets.token_hex(16),
    )
    db.session.add(reservation)
    db.session.commit()
    return reservation


def test_an_approver_of_one_facility_sees_and_decides_only_its_reservations(app):
    library, center = _facility("Auburn Public Library", "library"), _facility("Boykin Community Center", "boykin")
    at_library, at_center = _pending(library, "Lib Requester"), _pending(center, "Center Requester")
    approver, employee = staff_client(app, name="Lee Librarian")
    grant(employee, "reservations.approver", scope=scopes.facility(library.facility_id))

    queue = approver.get("/staff/reservations/").get_data(as_text=True)
    assert "Lib Requester" in queue and "Center Requester" not in queue
    assert "Boykin Community Center" not in queue  # not offered as a filter either

    refused = approver.post(f"/staff/reservations/{at_center.id}/approve", headers=csrf_headers(approver))
    assert refused.status_code == 403
    assert "for Boykin Community Center" in refused.get_data(as_text=True)
    assert approver.get(f"/staff/reservations/{at_center.id}").status_code == 403
    db.session.expire_all()
    assert at_center.status == "pending"

    assert approver.post(f"/staff/reservations/{at_library.id}/approve",
                         headers=csrf_headers(approver)).status_code == 303
    db.session.expire_all()
    assert at_library.status == "approved"

    everywhere, _ = staff_client(app, "reservations.approver", name="Ada Everywhere")
    assert "Center Requester" in everywhere.get("/staff/reservations/").get_data(as_text=True)


def test_holders_names_who_may_act_for_a_facility(app):
    library, center = _facility("Auburn Public Library", "library"), _facility("Boykin Community Center", "boykin")
    lib, ctr = scopes.facility(library.facility_id), scopes.facility(center.facility_id)
    whole = make_employee("Ada Whole")
    grant(whole, "reservations.approver")
    lee = make_employee("Lee Librarian")
    grant(lee, "reservations.approver", scope=lib)
    cal = make_employee("Cal Center")
    grant(cal, "reservations.approver", scope=ctr)
    viewer = make_employee("Vi Viewer")
    grant(viewer, "reservations.viewer", scope=lib)
    gone = make_employee("Gone Librarian")
    gone.account_enabled = False
    grant(gone, "reservations.approver", scope=lib)

    assert [e.display_name for e in holders("reservations.approver", lib)] == ["Ada Whole", "Lee Librarian"]
    assert [e.display_name for e in holders("reservations.viewer", lib)] == ["Ada Whole", "Lee Librarian", "Vi Viewer"]
    assert [e.display_name for e in holders("reservations.approver")] == ["Ada Whole"]
    assert can(lee, "reservations.approver", lib) and not can(lee, "reservations.approver", ctr)
    assert can(lee, "reservations.viewer", lib)  # a stronger role of the module includes the weaker
    assert can(lee, "reservations.approver") and not can(viewer, "reservations.approver")


def test_calendar_roles_hold_for_their_calendar_only(app):
    parks = Calendar(name="Parks", slug="parks", time_zone="America/Chicago")
    council = Calendar(name="City Council", slug="council", time_zone="America/Chicago")
    db.session.add_all([parks, council])
    db.session.flush()
    starts = datetime(2030, 5, 1, 15, tzinfo=timezone.utc)
    events = [CalendarEvent(calendar=c, uid=f"{c.slug}@test", title=f"{c.name} meeting", start_at=starts,
                            end_at=starts + timedelta(hours=1), time_zone="America/Chicago", status="draft")
              for c in (parks, council)]
    db.session.add_all(events)
    db.session.commit()
    editor, employee = staff_client(app, name="Pat Parks")
    grant(employee, "calendars.publisher", scope=scopes.calendar(parks.id))

    listing = editor.get("/staff/calendars/").get_data(as_text=True)
    assert "Parks" in listing and "City Council" not in listing
    assert editor.get(f"/staff/calendars/events/{events[1].id}").status_code == 403
    assert editor.get(f"/staff/calendars/{council.id}/events/new").status_code == 403
    assert editor.get("/staff/calendars/new").status_code == 403  # a new calendar needs the whole module
    assert editor.post(f"/staff/calendars/events/{events[1].id}/publish", headers=csrf_headers(editor)).status_code == 403
    assert editor.post(f"/staff/calendars/events/{events[0].id}/publish", headers=csrf_headers(editor)).status_code == 303
    db.session.expire_all()
    assert [e.status for e in events] == ["published", "draft"]


def test_an_employee_editor_of_one_department_edits_only_its_people(app):
    parks_person = make_employee("Pia Parks", department="Parks and Recreation")
    library_person = make_employee("Lou Library", department="Library")
    editor, employee = staff_client(app, name="Ed Editor")
    grant(employee, "employees.editor", scope=scopes.department("Parks and Recreation"))

    listing = editor.get("/staff/employees/").get_data(as_text=True)
    assert "Pia Parks" in listing and "Lou Library" not in listing
    assert editor.get(f"/staff/employees/{parks_person.id}").status_code == 200
    refused = editor.get(f"/staff/employees/{library_person.id}")
    assert refused.status_code == 403 and "for Library" in refused.get_data(as_text=True)


def test_a_scoped_grant_has_its_own_entra_group_written_in_the_tenant(app, tenant):
    library = _facility("Auburn Public Library", "library")
    scope = scopes.facility(library.facility_id)
    admin_client, admin = staff_client(app, "platform.admin", name="Ada Admin")
    admin.entra_oid = tenant.server.control.user("megan.crouch@auburnal.gov")["id"]
    ethan = make_employee("Ethan Park")
    ethan.entra_oid = tenant.server.control.user("ethan.park@auburnal.gov")["id"]
    db.session.commit()

    wrong = admin_client.post(f"/staff/access/people/{ethan.id}/grant",
                              data={"role": "platform.admin", "scope": scope}, headers=csrf_headers(admin_client))
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.get_data(as_text=True)
    assert "Platform admin is held for the whole module" in wrong.get_data(as_text=True)
    assert db.session.scalar(select(RoleAssignment).where(RoleAssignment.employee_id == ethan.id)) is None

    response = admin_client.post(f"/staff/access/people/{ethan.id}/grant",
                                 data={"role": "reservations.approver", "scope": scope},
                                 headers=csrf_headers(admin_client), follow_redirects=True)
    assert "Ethan Park now holds Reservations approver for Auburn Public Library" in response.get_data(as_text=True)
    mapping = db.session.scalars(select(GroupMapping).where(GroupMapping.scope == scope)).one()
    assert mapping.group_name == "mygov-reservations-approver-library" and mapping.group_object_id is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "role.grant"))
    assert entry.after["scope_name"] == "Auburn Public Library"

    create_missing_groups(admin)  # the admin's "Create missing groups": the scoped group is made in Entra
    group_id = mapping.group_object_id
    assert any(g["displayName"] == "mygov-reservations-approver-library" for g in tenant.server.control.groups())
    revoke_role(ethan, "reservations.approver", admin, scope)
    grant_role(ethan, "reservations.approver", admin, scope)
    drain()  # the new group is not replicated yet (its first read 404s, as in Graph): the outbox waits
    assert ethan.entra_oid not in tenant.group_members(group_id)
    assert enqueue_due_retries(utcnow() + timedelta(seconds=10)) == 1
    drain()
    assert ethan.entra_oid in tenant.group_members(group_id)
    page = admin_client.get(f"/staff/access/people/{ethan.id}").get_data(as_text=True)
    assert "For Auburn Public Library" in page and "In the Entra group" in page

    revoke = admin_client.post(f"/staff/access/people/{ethan.id}/revoke",
                               data={"role": "reservations.approver", "scope": scope, "confirmed": "yes"},
                               headers=csrf_headers(admin_client), follow_redirects=True)
    assert "Reservations approver for Auburn Public Library was removed from Ethan Park" in revoke.get_data(as_text=True)
    drain()
    assert ethan.entra_oid not in tenant.group_members(group_id)


def test_the_booking_desk_bulk_decisions_moves_and_notified_approvers_follow_the_facility(app):
    from app.reservations import approvers

    library, center = _facility("Auburn Public Library", "library"), _facility("Boykin Community Center", "boykin")
    at_library, at_center = _pending(library, "Lib Requester"), _pending(center, "Center Requester")
    desk, employee = staff_client(app, name="Lee Librarian")
    grant(employee, "reservations.approver", scope=scopes.facility(library.facility_id))
    everywhere = make_employee("Ada Everywhere")
    grant(everywhere, "reservations.approver")

    listing = desk.get("/staff/bookings/").get_data(as_text=True)
    assert "Lib Requester" in listing and "Center Requester" not in listing
    assert "Center Requester" not in desk.get("/staff/bookings/export.csv").get_data(as_text=True)
    assert approvers.pending_count_for(employee) == 1 and approvers.pending_count_for(everywhere) == 2
    assert [e.display_name for e in approvers.for_facility(center.facility)] == ["Ada Everywhere"]
    assert {e.display_name for e in approvers.for_facility(library.facility)} == {"Ada Everywhere", "Lee Librarian"}

    bulk = desk.post("/staff/reservations/bulk/confirm", data={"decision": "approve",
                                                              "reservation": [str(at_library.id), str(at_center.id)]},
                     headers=csrf_headers(desk))
    assert bulk.status_code == 403
    assert desk.get(f"/staff/reservations/{at_center.id}/move").status_code == 403
    db.session.expire_all()
    assert (at_library.status, at_center.status) == ("pending", "pending")
