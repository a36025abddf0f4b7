"""Group mappings: default names from the configured pattern, mapping an existing group, creating missing ones."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.access import services
from app.access.mappings import default_group_name, ensure_group_mappings, mail_nickname
from app.access.models import AuditEntry, GroupMapping
from app.extensions import db
from app.jobs.models import GraphOperation
from app.jobs.sweeper import enqueue_due_retries
from app.sqltypes import utcnow
from tests.factories import csrf_headers, make_employee, staff_client
from tests.jobs.helpers import drain

PUBLISHERS = "15277fe8-3f96-54e9-9fc5-03cdddb41e6b"


def _mapping(module: str, role: str) -> GroupMapping:
    return db.session.scalar(select(GroupMapping).where(GroupMapping.module_key == module, GroupMapping.role_key == role))


def test_the_group_name_pattern_is_configuration(app, monkeypatch):
    assert default_group_name("calendars", "publisher") == "mygov-calendars-publisher"
    monkeypatch.setitem(app.config, "ACCESS_GROUP_NAME_PATTERN", "SG-MyGov-{module}-{role}")
    assert [m.group_name for m in ensure_group_mappings()][:2] == ["SG-MyGov-facilities-viewer",
                                                                    "SG-MyGov-facilities-editor"]
    assert mail_nickname("SG MyGov: (test) role") == "SG-MyGov---test--role"


def test_existing_groups_are_linked_by_their_default_name(app, tenant):
    admin, _ = staff_client(app, "platform.admin")
    response = admin.post("/staff/access/groups/link", headers=csrf_headers(admin), follow_redirects=True)
    assert "Groups linked by name" in response.get_data(as_text=True)
    assert _mapping("calendars", "publisher").group_object_id == PUBLISHERS
    page = admin.get("/staff/access/groups/").get_data(as_text=True)
    assert "Not mapped" not in page and PUBLISHERS in page


def test_an_admin_maps_a_role_to_an_existing_group_found_by_name(app, tenant):
    admin, employee = staff_client(app, "platform.admin")
    found = admin.get("/staff/access/groups/reservations.viewer?q=Auburn+Lib", headers={"HX-Request": "true"})
    text = found.get_data(as_text=True)
    assert "<html" not in text and "Auburn Library" in text and "1 Entra group start" in text
    library = "8e3b0a70-f271-5e82-a9e5-5abba8057bab"
    response = admin.post("/staff/access/groups/reservations.viewer/map", data={"group_id": library},
                          headers=csrf_headers(admin))
    assert response.status_code == 303
    mapping = _mapping("reservations", "viewer")
    assert (mapping.group_name, mapping.group_object_id) == ("Auburn Library", library)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "group_mapping.map"))
    assert entry.actor_id == employee.id and entry.after["group_object_id"] == library


def test_one_group_cannot_serve_two_roles(app, tenant):
    admin, _ = staff_client(app, "platform.admin")
    admin.post("/staff/access/groups/link", headers=csrf_headers(admin))
    response = admin.post("/staff/access/groups/reservations.viewer/map", data={"group_id": PUBLISHERS},
                          headers=csrf_headers(admin), follow_redirects=True)
    assert "already mapped to Calendar publisher" in response.get_data(as_text=True)
    assert _mapping("reservations", "viewer").group_name == "mygov-reservations-viewer"


def test_missing_groups_are_created_as_security_groups_owned_by_the_admin(app, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESS_GROUP_NAME_PATTERN", "mygov-new-{module}-{role}")
    admin, employee = staff_client(app, "platform.admin")
    employee.entra_oid = tenant.server.control.user("morgan.reyes@auburnal.gov")["id"]
    db.session.commit()
    response = admin.post("/staff/access/groups/create", headers=csrf_headers(admin), follow_redirects=True)
    assert "mygov-new-platform-admin" in response.get_data(as_text=True)
    created = {g["displayName"]: g for g in tenant.server.control.groups() if g["displayName"].startswith("mygov-new-")}
    assert len(created) == 9
    group = created["mygov-new-calendars-publisher"]
    assert group["securityEnabled"] and not group["mailEnabled"] and group["owners"] == [employee.entra_oid]
    assert _mapping("calendars", "publisher").group_object_id == group["id"]
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "group_mapping.create")).all()) == 9


def test_a_role_granted_right_after_its_group_was_created_reaches_the_group_once_it_replicated(app, tenant):
    """Graph's directory replicates: a new group 404s briefly (contract §4.2); the outbox retries."""
    app.config["ACCESS_GROUP_NAME_PATTERN"] = "mygov-fresh-{module}-{role}"
    admin, employee = staff_client(app, "platform.admin")
    employee.entra_oid = tenant.server.control.user("morgan.reyes@auburnal.gov")["id"]
    db.session.commit()
    admin.post("/staff/access/groups/create", headers=csrf_headers(admin))
    group_id = _mapping("calendars", "publisher").group_object_id
    ethan = tenant.server.control.user("ethan.park@auburnal.gov")
    person = make_employee("Ethan Park")
    person.entra_oid = ethan["id"]
    db.session.commit()
    services.grant_role(person, "calendars.publisher", employee)
    db.session.commit()
    drain()
    operation = db.session.scalar(select(GraphOperation).where(GraphOperation.kind == "add_group_member"))
    assert (operation.status, operation.last_error_status) == ("pending", 404)  # not given up
    assert ethan["id"] not in tenant.group_members(group_id)
    assert enqueue_due_retries(utcnow() + timedelta(seconds=10)) == 1
    drain()
    assert operation.status == "done" and ethan["id"] in tenant.group_members(group_id)


def test_a_member_change_on_a_group_long_gone_still_fails(app, tenant):
    operation = services.queue_membership_change("add_group_member", "0b6d2f5e-1b3a-4a43-9a70-3d2f1e0c9a11",
                                                 tenant.server.control.user("ethan.park@auburnal.gov")["id"], "gone-1")
    db.session.flush()
    operation.created_at = operation.created_at - timedelta(hours=1)
    db.session.commit()
    drain()
    assert db.session.get(GraphOperation, operation.id).status == "failed"
