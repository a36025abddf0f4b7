"""The audit log (filterable, never editable) and the Graph permissions page for IT."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.access.models import AuditEntry
from app.access.services import grant_role, revoke_role
from app.extensions import db
from app.graph.client import drop_clients
from tests.factories import csrf_headers, make_employee, staff_client


def test_the_audit_log_shows_who_changed_what_for_whom_and_filters(app):
    admin, employee = staff_client(app, "platform.admin", name="Ada Admin")
    ethan, grace = make_employee("Ethan Park"), make_employee("Grace Holloway")
    grant_role(ethan, "calendars.editor", employee)
    grant_role(grace, "facilities.viewer", employee)
    revoke_role(ethan, "calendars.editor", employee)
    old = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "role.revoke"))
    db.session.execute(AuditEntry.__table__.update().where(AuditEntry.id == old.id).values(
        at=datetime.now(timezone.utc) - timedelta(days=40)))  # an old entry, written as-is
    db.session.commit()

    page = admin.get("/staff/access/audit").get_data(as_text=True)
    assert "3 entries match" in page and "Ada Admin" in page and "Role: Calendar editor" in page
    assert "Ethan Park" in page and "Grace Holloway" in page
    assert "1 entry match" in admin.get("/staff/access/audit?who=grace").get_data(as_text=True)
    assert "1 entry match" in admin.get("/staff/access/audit?action=role.revoke").get_data(as_text=True)
    recent = (datetime.now(timezone.utc) - timedelta(days=7)).date().isoformat()
    fragment = admin.get(f"/staff/access/audit?since={recent}", headers={"HX-Request": "true"})
    assert "2 entries match" in fragment.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)


def test_audit_entries_cannot_be_edited_or_deleted(app):
    admin, employee = staff_client(app, "platform.admin")
    grant_role(make_employee("Ethan Park"), "calendars.editor", employee)
    entry = db.session.scalar(select(AuditEntry))
    entry.actor_label = "Someone else"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AuditEntry)))
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert admin.post("/staff/access/audit", headers=csrf_headers(admin)).status_code == 405


def test_the_graph_permissions_page_shows_missing_permissions_beside_the_token(app, tenant):
    admin, _ = staff_client(app, "platform.admin")
    complete = admin.get("/staff/access/graph-permissions").get_data(as_text=True)
    assert "Every required permission is granted" in complete and "Missing" not in complete
    tenant.set_app_roles(["Calendars.ReadWrite", "User.Read.All", "Group.ReadWrite.All"])
    drop_clients()
    page = admin.get("/staff/access/graph-permissions").get_data(as_text=True)
    assert "5 permissions are missing" in page
    row = page.split("<code>Mail.Send</code>")[1].split("</tr>")[0]
    assert "<strong>Missing</strong>" in row
    assert 'class="mygov-missing"' in page.split("<code>Mail.Send</code>")[0].rsplit("<tr", 1)[1]
    assert "Grant admin consent" in page and app.config["ENTRA_CLIENT_ID"] in page


def test_the_graph_permissions_page_explains_a_refused_app_token(app, tenant, monkeypatch):
    admin, _ = staff_client(app, "platform.admin")
    monkeypatch.setitem(app.config, "ENTRA_CLIENT_SECRET", "wrong-secret")
    drop_clients()
    page = admin.get("/staff/access/graph-permissions").get_data(as_text=True)
    assert "MyGov could not get an app token" in page and "invalid_client" in page
