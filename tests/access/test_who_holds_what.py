"""Who holds what (screens and CSV), the audit log and employees as CSV, the email a person gets
when a role is granted or taken, and grants that end on a date."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.access import scopes
from app.access.mappings import link_groups_by_name
from app.access.models import AuditEntry, RoleAssignment
from app.access.services import grant_role
from app.facilities.models import Facility
from app.extensions import db
from app.jobs.actions import ACTIONS
from app.jobs.models import GraphOperation
from app.mail.models import EmailMessage
from app.microsoft import graph_client
from tests.factories import csrf_headers, grant, make_employee, staff_client
from tests.jobs.helpers import drain

CITY = ZoneInfo("America/Chicago")


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_who_holds_what_lists_roles_and_people_with_scope_source_and_dates_and_exports_them(app):
    library = Facility(name="Auburn Public Library", slug="library", building_abbreviation="LIB", address="Auburn")
    db.session.add(library)
    db.session.commit()
    admin_client, admin = staff_client(app, "platform.admin", name="Ada Admin")
    lee = make_employee("Lee Librarian", department="Library")
    grant_role(lee, "reservations.approver", admin, scopes.facility(library.id), date.today() + timedelta(days=30))
    sly = make_employee("=HYPERLINK(\"http://evil\")")  # a name a spreadsheet would run
    grant(sly, "calendars.editor", source="entra-seed")

    page = admin_client.get("/staff/access/holders/").get_data(as_text=True)
    assert "3 role assignments held by 3 people." in page
    assert "Auburn Public Library" in page and "Granted in MyGov by Ada Admin" in page
    assert "Seeded from Entra: the role&#39;s group" in page and "The whole module" in page
    assert 'id="people-roles"' in page

    rows = _csv(admin_client.get("/staff/access/holders/holders.csv"))
    assert len(rows) == 3
    lees = next(r for r in rows if r["Person"] == "Lee Librarian")
    assert (lees["Role"], lees["Held for"], lees["Module"]) == ("Reservations approver", "Auburn Public Library",
                                                               "Reservations")
    assert lees["Last day"] and lees["Source"] == "Granted in MyGov by Ada Admin"
    assert any(r["Person"].startswith("'=HYPERLINK") for r in rows)

    only = _csv(admin_client.get("/staff/access/holders/holders.csv?role=calendars.editor"))
    assert [r["Role"] for r in only] == ["Calendar editor"]
    assert admin_client.get("/staff/access/holders/?role=nope.nope").status_code == 404
    viewer, _ = staff_client(app, "calendars.editor", name="No Admin")
    assert viewer.get("/staff/access/holders/holders.csv").status_code == 403


def test_the_audit_log_and_the_employees_download_as_csv_with_the_filters_applied(app):
    admin_client, admin = staff_client(app, "platform.admin", "employees.editor", name="Ada Admin")
    ethan = make_employee("Ethan Park", department="Library")
    make_employee("Pia Parks", department="Parks and Recreation")
    grant_role(ethan, "calendars.editor", admin)
    grant_role(ethan, "facilities.viewer", admin)
    audit_page = admin_client.get("/staff/access/audit?action=role.grant").get_data(as_text=True)
    assert "/staff/access/audit.csv?action=role.grant" in audit_page
    rows = _csv(admin_client.get("/staff/access/audit.csv?action=role.grant"))
    assert [(r["Who"], r["Action"], r["About"]) for r in rows] == [("Ada Admin", "role.grant", "Ethan Park")] * 2
    assert '"role": "facilities.viewer"' in rows[0]["After"]

    everyone = _csv(admin_client.get("/staff/employees/employees.csv"))
    assert {r["Name"] for r in everyone} >= {"Ethan Park", "Pia Parks", "Ada Admin"}
    assert next(r for r in everyone if r["Name"] == "Pia Parks")["Department"] == "Parks and Recreation"
    parks_editor, employee = staff_client(app, name="Ed Parks")
    grant(employee, "employees.editor", scope=scopes.department("Parks and Recreation"))
    assert [r["Name"] for r in _csv(parks_editor.get("/staff/employees/employees.csv"))] == ["Pia Parks"]


def test_a_person_is_emailed_when_granted_or_losing_a_role(app, tenant):
    admin_client, admin = staff_client(app, "platform.admin", name="Ada Admin")
    ethan = make_employee("Ethan Park", mail="ethan.park@auburnal.gov")
    admin_client.post(f"/staff/access/people/{ethan.id}/grant", data={"role": "calendars.publisher"},
                      headers=csrf_headers(admin_client))
    admin_client.post(f"/staff/access/people/{ethan.id}/revoke", data={"role": "calendars.publisher", "confirmed": "yes"},
                      headers=csrf_headers(admin_client))
    messages = db.session.scalars(select(EmailMessage).order_by(EmailMessage.id)).all()
    assert [(m.recipient, m.subject) for m in messages] == [
        ("ethan.park@auburnal.gov", "You now hold Calendar publisher in MyGov"),
        ("ethan.park@auburnal.gov", "You no longer hold Calendar publisher in MyGov"),
    ]
    drain()
    sent = {m["message"]["subject"]: m["message"]["body"]["content"] for m in tenant.server.control.outbound_mail()}
    assert "Ada Admin granted it to you in MyGov." in sent["You now hold Calendar publisher in MyGov"]
    assert "Publish and cancel events; publish from Outlook." in sent["You now hold Calendar publisher in MyGov"]
    assert "Ada Admin removed it in MyGov." in sent["You no longer hold Calendar publisher in MyGov"]


def test_a_grant_with_an_end_date_is_ended_by_the_job_audited_and_written_to_entra(app, tenant):
    link_groups_by_name(graph_client())
    db.session.commit()
    admin_client, admin = staff_client(app, "platform.admin", name="Ada Admin")
    ethan = make_employee("Ethan Park", mail="ethan.park@auburnal.gov")
    ethan.entra_oid = tenant.server.control.user("ethan.park@auburnal.gov")["id"]
    db.session.commit()
    yesterday = (datetime.now(CITY) - timedelta(days=1)).date()
    refused = admin_client.post(f"/staff/access/people/{ethan.id}/grant",
                                data={"role": "calendars.publisher", "until": yesterday.isoformat()},
                                headers=csrf_headers(admin_client))
    assert refused.status_code == 422 and 'id="until-error"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(RoleAssignment).where(RoleAssignment.employee_id == ethan.id)) is None

    today = datetime.now(CITY).date()
    granted = admin_client.post(f"/staff/access/people/{ethan.id}/grant",
                                data={"role": "calendars.publisher", "until": today.isoformat()},
                                headers=csrf_headers(admin_client), follow_redirects=True)
    assert f"until the end of {today.strftime('%A, %B %-d, %Y')}" in granted.get_data(as_text=True)
    drain()
    group_id = db.session.scalar(select(GraphOperation.payload)).get("group_id")
    assert ethan.entra_oid in tenant.group_members(group_id)

    assert ACTIONS["access.end_expired_roles"].run({}) == {"ended": 0, "kept_last_platform_admin": 0}
    assignment = db.session.scalar(select(RoleAssignment).where(RoleAssignment.employee_id == ethan.id))
    assignment.ends_at = datetime.now(timezone.utc) - timedelta(seconds=1)  # the day has passed
    db.session.commit()
    assert ACTIONS["access.end_expired_roles"].run({}) == {"ended": 1, "kept_last_platform_admin": 0}

    assert db.session.scalar(select(RoleAssignment).where(RoleAssignment.employee_id == ethan.id)) is None
    ended = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "role.expire"))
    assert ended.actor_label == "MyGov (end date reached)" and ended.before["role"] == "calendars.publisher"
    assert db.session.scalars(select(EmailMessage.subject).order_by(EmailMessage.id)).all()[-1] == (
        "You no longer hold Calendar publisher in MyGov")
    drain()
    assert ethan.entra_oid not in tenant.group_members(group_id)
