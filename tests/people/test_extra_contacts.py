"""Extra contacts per employee: phone numbers, emails and office hours, each public or private;
the public directory shows only the public ones."""
from __future__ import annotations

from sqlalchemy import select

from app.access import scopes
from app.access.models import AuditEntry
from app.extensions import db
from app.people.models import EmployeeExtraContact
from tests.factories import csrf_headers, grant, staff_client
from tests.people.helpers import employee_with_contact


def _add(editor, employee, **fields):
    data = {"contact_kind": "phone", "contact_label": "Mobile", "contact_value": "", **fields}
    return editor.post(f"/staff/employees/{employee.id}/contacts", data=data, headers=csrf_headers(editor))


def test_staff_add_extra_contacts_each_with_its_own_public_switch(app, client):
    ana = employee_with_contact("Ana Ranger", department="Parks", job_title="Park Ranger", show_publicly=True)
    editor, _ = staff_client(app, "employees.editor", name="Ed Editor")

    refused = _add(editor, ana, contact_value="12")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="contact_value-error"' in page and 'aria-invalid="true"' in page
    assert "phone number" in page.split('id="contact_value-error">')[1].split("<")[0]
    assert db.session.scalar(select(EmployeeExtraContact)) is None
    assert _add(editor, ana, contact_label="", contact_value="3345013000").status_code == 422

    assert _add(editor, ana, contact_value="334 501 3000 x12", contact_public="yes").status_code == 303
    assert _add(editor, ana, contact_kind="email", contact_label="Front desk",
                contact_value="Parks@AuburnAL.gov").status_code == 303
    assert _add(editor, ana, contact_kind="hours", contact_label="Summer hours",
                contact_value="Monday to Friday, 7 AM to 3 PM", contact_public="yes").status_code == 303
    contacts = db.session.scalars(select(EmployeeExtraContact).order_by(EmployeeExtraContact.id)).all()
    assert [(c.label, c.value, c.is_public) for c in contacts] == [
        ("Mobile", "(334) 501-3000 ext. 12", True), ("Front desk", "Parks@auburnal.gov", False),
        ("Summer hours", "Monday to Friday, 7 AM to 3 PM", True)]

    public = client.get("/directory/").get_data(as_text=True)
    assert "Mobile:" in public and 'href="tel:+13345013000;ext=12"' in public
    assert "Summer hours:" in public and "Monday to Friday, 7 AM to 3 PM" in public
    assert "Parks@auburnal.gov" not in public  # private

    front_desk = contacts[1]
    assert editor.post(f"/staff/employees/{ana.id}/contacts/{front_desk.id}/public",
                       headers=csrf_headers(editor)).status_code == 303
    assert "mailto:Parks@auburnal.gov" in client.get("/directory/").get_data(as_text=True)
    assert editor.post(f"/staff/employees/{ana.id}/contacts/{contacts[0].id}/remove",
                       headers=csrf_headers(editor)).status_code == 303
    assert "Mobile:" not in client.get("/directory/").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["employee.contact_add"] * 3 + ["employee.contact_visibility", "employee.contact_remove"]

    staff_page = editor.get(f"/staff/employees/{ana.id}").get_data(as_text=True)
    assert "Front desk" in staff_page and "Make private" in staff_page


def test_a_hidden_employee_shows_no_contact_and_other_departments_cannot_be_edited(app, client):
    hidden = employee_with_contact("Hal Hidden", department="Library", show_publicly=False)
    db.session.add(EmployeeExtraContact(employee_id=hidden.id, kind="hours", label="Hours", value="Noon to 2",
                                        is_public=True))
    db.session.commit()
    assert "Noon to 2" not in client.get("/directory/").get_data(as_text=True)
    parks_editor, employee = staff_client(app, name="Pat Parks")
    grant(employee, "employees.editor", scope=scopes.department("Parks"))
    assert _add(parks_editor, hidden, contact_value="3345013000").status_code == 403
    contact = db.session.scalar(select(EmployeeExtraContact))
    assert parks_editor.post(f"/staff/employees/{hidden.id}/contacts/{contact.id}/remove",
                             headers=csrf_headers(parks_editor)).status_code == 403
