"""Employee screens: list and search, Entra value beside override, set/clear, refused bad data, audit."""
from __future__ import annotations

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.people.models import Employee, EmployeeContact
from tests.factories import staff_client
from tests.people.helpers import csrf_token, employee_with_contact


def _contact(employee: Employee) -> EmployeeContact:
    db.session.expire_all()
    return db.session.scalar(select(EmployeeContact).where(EmployeeContact.employee_id == employee.id))


def test_screens_need_a_signed_in_employee(app, client):
    target = employee_with_contact("Robin Clerk")
    for path in ("/staff/employees/", f"/staff/employees/{target.id}"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login?next=")


def test_screens_need_the_employee_editor_role(app):
    target = employee_with_contact("Robin Clerk")
    viewer, _ = staff_client(app, "facilities.viewer")
    assert viewer.get("/staff/employees/").status_code == 403
    assert viewer.get(f"/staff/employees/{target.id}").status_code == 403
    token = csrf_token(viewer, "/staff/")
    refused = viewer.post(f"/staff/employees/{target.id}", data={"csrf_token": token, "display_name": "X"})
    assert refused.status_code == 403
    assert _contact(target).display_name == "Robin Clerk"


def test_list_searches_name_department_and_title(app):
    employee_with_contact("Ana Gómez", department="Parks and Recreation", job_title="Park Ranger")
    employee_with_contact("Bo Li", department="Library", job_title="Librarian")
    client, _ = staff_client(app, "employees.editor", name="Editor Person")

    def names(query: str) -> str:
        return client.get("/staff/employees/", query_string={"q": query}).get_data(as_text=True)

    assert "Ana Gómez" in names("gomez") and "Bo Li" not in names("gomez")
    assert "Bo Li" in names("library") and "Ana Gómez" not in names("library")
    assert "Ana Gómez" in names("ranger park")
    assert "No employees match your search." in names("nobody-like-this")


def test_htmx_search_returns_only_the_results_and_updates_the_live_count(app):
    employee_with_contact("Ana Gómez", department="Parks")
    client, _ = staff_client(app, "employees.editor", name="Editor Person")
    response = client.get("/staff/employees/?q=parks", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Ana Gómez" in html
    assert 'id="employee-count" hx-swap-oob="innerHTML">1 employee found.' in html
    assert "HX-Request" in response.headers["Vary"]
    full = client.get("/staff/employees/?q=parks").get_data(as_text=True)
    assert 'id="employee-count" role="status"' in full and "hx-swap-oob" not in full


def test_employee_page_shows_each_entra_value_beside_its_override_escaped(app):
    target = employee_with_contact(
        '<script>alert("x")</script> O\'Brien', job_title="Clerk & Treasurer",
        business_phone="+1 (334) 501-3000 #2", display_name_override="Jo O'Brien",
    )
    client, _ = staff_client(app, "employees.editor", name="Editor Person")
    html = client.get(f"/staff/employees/{target.id}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; O&#39;Brien" in html
    assert "Clerk &amp; Treasurer" in html and "+1 (334) 501-3000 #2" in html
    assert 'value="Jo O&#39;Brien"' in html
    assert "Use Entra value<span class=\"usa-sr-only\"> for display name" in html


def test_setting_overrides_updates_the_contact_and_is_audited(app):
    target = employee_with_contact("Robin Legal", job_title="Clerk", business_phone="334-501-3000")
    client, editor = staff_client(app, "employees.editor", name="Editor Person")
    path = f"/staff/employees/{target.id}"
    response = client.post(path, data={
        "csrf_token": csrf_token(client, path), "display_name": "  Robin   Public ",
        "public_title": "", "public_phone": "334.501.4100 ext 12",
        "public_email": "Parks@AuburnAL.gov", "show_publicly": "yes",
    })
    assert response.status_code == 303 and response.headers["Location"].endswith(path)

    contact = _contact(target)
    assert contact.display_name == "Robin Public"
    assert contact.public_title == "Clerk"  # empty override: the Entra value
    assert contact.public_phone == "(334) 501-4100 ext. 12"
    assert contact.public_email == "Parks@auburnal.gov"
    assert contact.is_public is True
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.target_id == str(target.id)))
    assert entry.actor_id == editor.id and entry.action == "employee.update"
    assert entry.before == {"display_name_override": None, "public_phone_override": None,
                            "public_email_override": None, "show_publicly": False}
    assert entry.after["display_name_override"] == "Robin Public"
    assert "Saved the public details of Robin Public." in client.get(path).get_data(as_text=True)


def test_use_entra_value_clears_one_override(app):
    target = employee_with_contact("Robin Legal", job_title="Clerk",
                                   public_title_override="City Clerk", display_name_override="Rob")
    client, _ = staff_client(app, "employees.editor", name="Editor Person")
    path = f"/staff/employees/{target.id}"
    response = client.post(f"{path}/use-entra/public_title", data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 303
    contact = _contact(target)
    assert contact.public_title == "Clerk" and contact.display_name == "Rob"
    assert db.session.scalar(select(AuditEntry.action)) == "employee.use_entra_value"
    assert client.post(f"{path}/use-entra/legal_name",
                       data={"csrf_token": csrf_token(client, path)}).status_code == 404


def test_malformed_phone_and_email_are_refused_on_their_fields_and_change_nothing(app):
    target = employee_with_contact("Robin Legal")
    client, _ = staff_client(app, "employees.editor", name="Editor Person")
    path = f"/staff/employees/{target.id}"
    response = client.post(path, data={
        "csrf_token": csrf_token(client, path), "display_name": "Robin Changed",
        "public_phone": "call me maybe", "public_email": "robin@@auburnal", "show_publicly": "yes",
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "usa-form-group--error" in html
    assert 'id="error-public_phone">Enter a phone number like (334) 501-3000' in html
    assert 'id="error-public_email">Enter an email address like parks@auburnal.gov.' in html
    assert 'aria-describedby="error-public_email hint-public_email entra-public_email"' in html
    assert 'value="call me maybe"' in html and 'value="Robin Changed"' in html  # kept for correction
    contact = _contact(target)
    assert contact.display_name == "Robin Legal" and contact.is_public is False
    assert db.session.scalar(select(AuditEntry.id)) is None


def test_a_number_that_parses_but_cannot_exist_is_refused(app):
    target = employee_with_contact("Robin Legal")
    client, _ = staff_client(app, "employees.editor", name="Editor Person")
    path = f"/staff/employees/{target.id}"
    html = client.post(path, data={"csrf_token": csrf_token(client, path),
                                   "public_phone": "(111) 111-1111"}).get_data(as_text=True)
    assert "That is not a valid phone number." in html


def test_a_whole_department_is_shown_or_hidden_at_once_and_audited(app):
    ana = employee_with_contact("Ana Gómez", department="Parks and Recreation", show_publicly=False)
    ben = employee_with_contact("Ben Hale", department="Parks and Recreation", show_publicly=False)
    bo = employee_with_contact("Bo Li", department="Library", show_publicly=False)
    client, _ = staff_client(app, "employees.editor", name="Editor Person")
    token = csrf_token(client, "/staff/employees/")
    shown = client.post("/staff/employees/department-visibility",
                        data={"csrf_token": token, "department": "Parks and Recreation", "show": "yes"})
    assert shown.status_code == 303
    assert "2 people in Parks and Recreation are now shown" in client.get(shown.headers["Location"]).get_data(as_text=True)
    assert _contact(ana).is_public and _contact(ben).is_public and not _contact(bo).is_public
    audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "employee.department_visibility")).all()
    assert {a.target_id for a in audits} == {str(ana.id), str(ben.id)}
    client.post("/staff/employees/department-visibility",
                data={"csrf_token": token, "department": "Parks and Recreation", "show": "no"})
    assert not _contact(ana).is_public and not _contact(ben).is_public
    refused = client.post("/staff/employees/department-visibility",
                          data={"csrf_token": token, "department": "Nowhere", "show": "yes"})
    assert refused.status_code == 422 and "Choose a department" in refused.get_data(as_text=True)
