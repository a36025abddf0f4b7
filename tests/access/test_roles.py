"""Granting and revoking roles: assignment, audit entry and Entra write-back in one transaction."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.access import services
from app.access.mappings import link_groups_by_name
from app.access.models import AuditEntry, RoleAssignment
from app.extensions import db
from app.jobs.models import GraphOperation
from app.graph.client import drop_clients
from app.microsoft import graph_client
from app.people.models import Employee
from tests.factories import csrf_headers, make_employee, staff_client
from tests.jobs.helpers import drain

PUBLISHERS = "15277fe8-3f96-54e9-9fc5-03cdddb41e6b"  # the dev tenant's mygov-calendars-publisher


@pytest.fixture
def linked(app, tenant):
    link_groups_by_name(graph_client())
    db.session.commit()
    return tenant


def _employee_for(user: dict) -> Employee:
    employee = make_employee(user["displayName"])
    employee.entra_oid = user["id"]
    db.session.commit()
    return employee


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_grant_writes_the_assignment_the_audit_entry_and_the_group_change_together(app, linked):
    admin, admin_employee = staff_client(app, "platform.admin", name="Ada Admin")
    ethan = _employee_for(linked.server.control.user("ethan.park@auburnal.gov"))
    response = admin.post(f"/staff/access/people/{ethan.id}/grant", data={"role": "calendars.publisher"},
                          headers=csrf_headers(admin))
    assert response.status_code == 303
    assignment = db.session.scalar(select(RoleAssignment).where(RoleAssignment.employee_id == ethan.id))
    assert (assignment.source, assignment.granted_by_id) == ("manual", admin_employee.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "role.grant"))
    assert entry.actor_id == admin_employee.id and entry.target_id == str(ethan.id)
    assert entry.after == {"role": "calendars.publisher", "source": "manual"}
    operation = db.session.scalar(select(GraphOperation))
    assert operation.kind == "add_group_member" and operation.payload == {"group_id": PUBLISHERS, "user_id": ethan.entra_oid}
    assert operation.idempotency_key == f"access-audit-{entry.id}"
    assert "Adding to the Entra group" in admin.get(f"/staff/access/people/{ethan.id}").get_data(as_text=True)

    drain()

    assert ethan.entra_oid in linked.group_members(PUBLISHERS)
    assert "In the Entra group" in admin.get(f"/staff/access/people/{ethan.id}").get_data(as_text=True)


def test_a_revoke_removes_the_person_from_the_group(app, linked):
    admin, admin_employee = staff_client(app, "platform.admin")
    ethan = _employee_for(linked.server.control.user("ethan.park@auburnal.gov"))
    services.grant_role(ethan, "calendars.publisher", admin_employee)
    drain()
    asked = admin.post(f"/staff/access/people/{ethan.id}/revoke", data={"role": "calendars.publisher"},
                       headers=csrf_headers(admin))
    assert asked.status_code == 200 and "Remove Calendar publisher from Ethan Park?" in asked.get_data(as_text=True)
    assert _count(RoleAssignment) == 2  # nothing changed before the answer
    response = admin.post(f"/staff/access/people/{ethan.id}/revoke",
                          data={"role": "calendars.publisher", "confirmed": "yes"},
                          headers=csrf_headers(admin), follow_redirects=True)
    assert "Calendar publisher was removed from Ethan Park" in response.get_data(as_text=True)
    assert _count(RoleAssignment) == 1  # the admin's own
    drain()
    assert ethan.entra_oid not in linked.group_members(PUBLISHERS)
    revoke = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "role.revoke"))
    assert revoke.before == {"role": "calendars.publisher", "source": "manual"} and revoke.after is None


def test_nothing_is_kept_when_recording_the_group_change_fails(app, linked, monkeypatch):
    admin = make_employee("Ada Admin")
    ethan = _employee_for(linked.server.control.user("ethan.park@auburnal.gov"))

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record_operation", broken)
    before = (_count(RoleAssignment), _count(AuditEntry), _count(GraphOperation))
    with pytest.raises(RuntimeError):
        services.grant_role(ethan, "calendars.publisher", admin)
    db.session.rollback()
    assert (_count(RoleAssignment), _count(AuditEntry), _count(GraphOperation)) == before


def test_a_failed_write_shows_the_graph_error_on_the_person(app, linked):
    admin, _ = staff_client(app, "platform.admin")
    ethan = _employee_for(linked.server.control.user("ethan.park@auburnal.gov"))
    linked.set_app_roles(["User.Read.All"])  # IT took Group.ReadWrite.All away
    drop_clients()  # a new app token, without it
    admin.post(f"/staff/access/people/{ethan.id}/grant", data={"role": "calendars.publisher"},
               headers=csrf_headers(admin))
    drain()
    page = admin.get(f"/staff/access/people/{ethan.id}").get_data(as_text=True)
    assert "Adding to the Entra group failed" in page and "Authorization_RequestDenied" in page


def test_a_revoke_before_the_add_ran_replaces_it(app, linked):
    admin = make_employee("Ada Admin")
    ethan = _employee_for(linked.server.control.user("ethan.park@auburnal.gov"))
    services.grant_role(ethan, "calendars.publisher", admin)
    services.revoke_role(ethan, "calendars.publisher", admin)
    kinds = {op.kind: op.status for op in db.session.scalars(
        select(GraphOperation).where(GraphOperation.kind != "send_mail"))}  # the person is emailed each time
    assert kinds == {"add_group_member": "superseded", "remove_group_member": "pending"}
    drain()
    assert ethan.entra_oid not in linked.group_members(PUBLISHERS)


def test_bad_grants_are_refused_with_a_message_and_change_nothing(app, linked):
    admin, admin_employee = staff_client(app, "platform.admin")
    ethan = _employee_for(linked.server.control.user("ethan.park@auburnal.gov"))
    refused = admin.post(f"/staff/access/people/{ethan.id}/grant", data={"role": "calendars.owner"},
                         headers=csrf_headers(admin))
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    assert 'aria-invalid="true"' in re.search(r'<select[^>]*id="role"[^>]*>', refused.get_data(as_text=True)).group(0)
    empty = admin.post(f"/staff/access/people/{ethan.id}/grant", data={"role": ""},
                       headers={**csrf_headers(admin), "HX-Request": "true"})
    text = empty.get_data(as_text=True)
    assert empty.status_code == 200 and "<html" not in text and "Choose a role." in text  # htmx swaps it in
    services.grant_role(ethan, "calendars.editor", admin_employee)
    with pytest.raises(services.AccessError, match="already holds"):
        services.grant_role(ethan, "calendars.editor", admin_employee)
    assert admin.post(f"/staff/access/people/{ethan.id}/grant", data={"role": "calendars.editor"}).status_code == 400


def test_the_last_platform_admin_cannot_be_revoked(app):
    admin, employee = staff_client(app, "platform.admin")
    response = admin.post(f"/staff/access/people/{employee.id}/revoke",
                          data={"role": "platform.admin", "confirmed": "yes"},
                          headers=csrf_headers(admin), follow_redirects=True)
    assert "at least one platform admin" in response.get_data(as_text=True)
    assert _count(RoleAssignment) == 1


def test_roles_are_shown_by_module_with_their_source(app, linked):
    admin, admin_employee = staff_client(app, "platform.admin")
    ethan = _employee_for(linked.server.control.user("ethan.park@auburnal.gov"))
    services.grant_role(ethan, "facilities.viewer", admin_employee)
    db.session.add(RoleAssignment(employee=ethan, module_key="calendars", role_key="editor", source="entra-seed"))
    db.session.commit()
    page = admin.get(f"/staff/access/people/{ethan.id}").get_data(as_text=True)
    assert "<caption>Facilities</caption>" in page and "<caption>Calendars</caption>" in page
    assert "Granted in MyGov by Pat Staff" in page and "Seeded from Entra group" in page


def test_search_finds_local_staff_and_falls_back_to_the_directory(app, tenant):
    admin, _ = staff_client(app, "platform.admin")
    make_employee("Grace Holloway")
    local = admin.get("/staff/access/?q=grace", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in local and "Grace Holloway" in local and "Entra directory" not in local
    directory = admin.get("/staff/access/?q=ethan").get_data(as_text=True)
    assert "0 staff members in MyGov match" in directory and "Ethan Park" in directory
    oid = tenant.server.control.user("ethan.park@auburnal.gov")["id"]
    added = admin.post("/staff/access/people/from-directory", data={"oid": oid}, headers=csrf_headers(admin))
    ethan = db.session.scalar(select(Employee).where(Employee.entra_oid == oid))
    assert added.headers["Location"] == f"/staff/access/people/{ethan.id}"
    assert ethan.job_title == "Reference Librarian" and ethan.last_sign_in_at is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "employee.add")).target_id == str(ethan.id)


def test_rooms_and_shared_mailboxes_in_the_directory_are_not_offered_as_people(app, tenant):
    admin, _ = staff_client(app, "platform.admin")
    assert "Study Room" not in admin.get("/staff/access/?q=study").get_data(as_text=True)
    assert "City Meetings" not in admin.get("/staff/access/?q=citymeetings").get_data(as_text=True)
    room = tenant.server.control.user("rm_LIB_StudyRoomA@auburnal.gov")
    refused = admin.post("/staff/access/people/from-directory", data={"oid": room["id"]},
                         headers=csrf_headers(admin), follow_redirects=True)
    assert "is a room or shared mailbox, not a person" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Employee).where(Employee.entra_oid == room["id"])) is None


def test_search_finds_staff_by_email_too(app):
    admin, _ = staff_client(app, "platform.admin")
    make_employee("Grace Holloway", mail="g.holloway@auburnal.gov", upn="gh1@auburnal.gov")
    make_employee("Henry Oak")
    found = admin.get("/staff/access/?q=g.holloway@auburnal", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Grace Holloway" in found and "Henry Oak" not in found


def test_a_search_with_many_matches_is_paged_and_says_how_many(app):
    admin, _ = staff_client(app, "platform.admin", name="Ada Admin")
    for n in range(30):
        make_employee(f"Parks Worker {n:02}")
    first = admin.get("/staff/access/?q=parks+worker").get_data(as_text=True)
    assert "30 staff members in MyGov match" in first and "Page 1 of 2" in first
    assert "Parks Worker 00" in first and "Parks Worker 29" not in first
    second = admin.get("/staff/access/?q=parks+worker&page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Parks Worker 29" in second and "Parks Worker 00" not in second
    assert "q=parks+worker" in second and "Previous page" in second
