"""In Chromium with axe: granting a role for one facility with an end date (and the error when the
scope does not fit), the seeding rules, who holds what, and reconcile's removal before sign-in."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.access import scopes
from app.access.mappings import link_groups_by_name
from app.access.reconcile import check_groups
from app.extensions import db
from app.facilities.models import Facility
from app.microsoft import graph_client
from tests.browser_plugin import axe_violations, describe
from tests.factories import grant, make_employee, sign_in_browser

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/access-i21")


def _clean(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {describe(violations)}"
    assert [e for e in page.console_errors if "Content Security Policy" in e] == [], where


def _shots(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_scoped_grants_seeding_rules_and_who_holds_what_in_the_browser(app, tenant, live_server, page):
    link_groups_by_name(graph_client())
    library = Facility(name="Auburn Public Library", slug="library", building_abbreviation="LIB", address="Auburn")
    db.session.add(library)
    admin = make_employee("Ada Admin", department="Information Technology")
    grant(admin, "platform.admin")
    ethan = make_employee("Ethan Park", department="Library")
    db.session.commit()
    check_groups(graph_client())  # Morgan Reyes is in mygov-platform-admin and never signed in
    db.session.commit()
    sign_in_browser(app, page, live_server.url, admin)

    page.goto(f"{live_server.url}/staff/access/people/{ethan.id}")
    page.get_by_label("Role", exact=True).select_option("platform.admin")
    page.get_by_label("For", exact=True).select_option(scopes.facility(library.id))
    page.get_by_role("button", name="Grant role").click()
    page.get_by_text("Platform admin is held for the whole module").wait_for()
    assert page.get_by_label("For", exact=True).get_attribute("aria-invalid") == "true"
    _clean(page, "grant error")

    page.get_by_label("Role", exact=True).select_option("reservations.approver")
    page.get_by_label("For", exact=True).select_option(scopes.facility(library.id))
    page.get_by_label("Until (optional)").fill((date.today() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Grant role").click()
    page.get_by_text("Ethan Park now holds Reservations approver for Auburn Public Library until").wait_for()
    row = page.locator("tr[data-role='reservations.approver']")
    assert "For Auburn Public Library" in row.inner_text() and "ends after" in row.inner_text()
    page.get_by_text("What each role allows").click()
    _clean(page, "person")
    _shots(page, "person")

    page.goto(f"{live_server.url}/staff/access/seeding/")
    page.get_by_label("Who").select_option("department")
    page.get_by_label("Group name, department or job title").fill("Library")
    page.get_by_label("Get the role").select_option("employees.editor")
    page.get_by_label("For", exact=True).select_option(scopes.department("Library"))
    page.get_by_role("button", name="Add the rule").click()
    page.get_by_text("Added: People of the department Library get Employee editor for Library").wait_for()
    _clean(page, "seeding rules")
    _shots(page, "seeding")

    page.goto(f"{live_server.url}/staff/access/holders/")
    page.get_by_text("2 role assignments held by 2 people.").wait_for()
    _clean(page, "who holds what")
    _shots(page, "holders")

    page.goto(f"{live_server.url}/staff/access/groups/reconcile")
    page.get_by_role("button", name="Remove now Morgan Reyes from mygov-platform-admin").click()
    page.get_by_text("Morgan Reyes is being removed from mygov-platform-admin").wait_for()
    _clean(page, "reconcile")
    _shots(page, "reconcile")


def test_extra_contacts_the_directory_and_the_dead_operations_page_in_the_browser(app, live_server, page):
    from app.jobs.outbox import record_operation
    from app.people.contacts import refresh_contacts

    admin = make_employee("Ada Admin")
    grant(admin, "platform.admin", "employees.editor")
    ana = make_employee("Ana Ranger", department="Parks", job_title="Park Ranger", show_publicly=True)
    refresh_contacts([ana.id])
    operation = record_operation("add_group_member", target_type="group_membership", target_id="g:u",
                                 payload={"group_id": "g", "user_id": ana.entra_oid}, idempotency_key="k-dead")
    operation.status = "dead"
    db.session.commit()
    sign_in_browser(app, page, live_server.url, admin)

    page.goto(f"{live_server.url}/staff/employees/{ana.id}")
    page.get_by_label("Kind").select_option("phone")
    page.get_by_label("Label").fill("Mobile")
    page.get_by_label("Phone number, email address or office hours").fill("12")
    page.get_by_role("button", name="Add the contact").click()
    assert page.get_by_label("Phone number, email address or office hours").get_attribute("aria-invalid") == "true"
    _clean(page, "contact error")
    page.get_by_label("Phone number, email address or office hours").fill("(334) 501-3000")
    page.locator("label[for='contact_public']").click()  # USWDS hides the box itself
    page.get_by_role("button", name="Add the contact").click()
    page.get_by_text("Added the contact “Mobile”.").wait_for()
    _clean(page, "employee contacts")
    _shots(page, "employee")

    page.goto(f"{live_server.url}/directory/")
    page.get_by_text("Mobile:").wait_for()
    _clean(page, "public directory")

    page.goto(f"{live_server.url}/staff/ops/outbox")
    page.get_by_role("link", name="Retry all 1 dead operation").click()
    page.get_by_text("Add Ana Ranger to an Entra group no role is mapped to any more").first.wait_for()
    page.get_by_role("button", name="Retry 1 operation").click()
    page.get_by_text("Tick the box to confirm.").first.wait_for()
    _clean(page, "retry dead")
    _shots(page, "retry-dead")
