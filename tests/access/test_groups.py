"""Group mappings: default names from the configured pattern, mapping an existing group, creating missing ones."""
from __future__ import annotations

from sqlalchemy import select

from app.access.mappings import default_group_name, ensure_group_mappings, mail_nickname
from app.access.models import AuditEntry, GroupMapping
from app.extensions import db
from tests.factories import csrf_headers, staff_client

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
