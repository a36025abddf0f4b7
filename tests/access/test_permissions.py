"""Every staff route declares its permission; a refusal names the role that would grant access and who grants it."""
from __future__ import annotations

from flask import Flask

from app.access.registry import MODULES, ROLES
from tests.factories import grant, make_employee, staff_client

UNPROTECTED_OUTSIDE_STAFF = {"/auth/login", "/auth/callback", "/auth/logout", "/auth/signed-out"}


def test_the_registry_holds_the_modules_and_roles_of_the_platform():
    assert {d.qualified_name for d in ROLES} == {
        "facilities.viewer", "facilities.editor", "facilities.admin", "reservations.viewer", "reservations.approver",
        "calendars.editor", "calendars.publisher", "employees.editor", "platform.admin",
    }
    assert set(MODULES) == {"facilities", "reservations", "calendars", "employees", "platform"}


def test_every_staff_route_declares_the_permission_it_needs(app: Flask):
    staff_rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/staff")]
    assert len(staff_rules) > 10
    undeclared = [rule.rule for rule in staff_rules
                  if not getattr(app.view_functions[rule.endpoint], "required_permission", None)]
    assert undeclared == []


def test_a_signed_out_visitor_is_sent_to_sign_in_from_every_staff_page(app: Flask):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff") and "GET" in rule.methods and not rule.arguments:
            response = client.get(rule.rule)
            assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), rule.rule


def test_the_403_page_names_the_role_that_grants_access_and_the_platform_admins(app):
    admin = make_employee("Morgan Reyes")
    admin.mail = "morgan.reyes@auburnal.gov"
    grant(admin, "platform.admin")
    client, _ = staff_client(app, "calendars.editor")
    response = client.get("/staff/access/")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Platform admin" in page and "platform.admin" not in page  # the role in words, not its code
    assert "Morgan Reyes" in page and "mailto:morgan.reyes@auburnal.gov" in page


def test_the_403_page_says_how_to_get_the_first_platform_admin(app):
    client, _ = staff_client(app, "facilities.viewer")
    page = client.get("/staff/ops/outbox").get_data(as_text=True)
    assert "No one holds the platform admin role yet" in page and "mygov-platform-admin" in page


def test_the_staff_menu_shows_only_what_the_person_may_open(app):
    editor, _ = staff_client(app, "calendars.editor")
    admin, _ = staff_client(app, "platform.admin", name="Ada Admin")
    assert "Permissions" not in editor.get("/staff/").get_data(as_text=True).split("<main")[0]
    header = admin.get("/staff/").get_data(as_text=True).split("<main")[0]
    assert "Permissions" in header and "Sign out" in header and "Ada Admin" in header
