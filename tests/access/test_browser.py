"""In Chromium: an admin signs in through the dev tenant, grants and revokes a role, and Entra follows."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from app.access.mappings import link_groups_by_name
from app.access.models import RoleAssignment
from app.access.reconcile import check_groups
from app.extensions import db
from app.jobs.queue import start_embedded_worker
from app.microsoft import graph_client
from tests.browser_plugin import axe_violations, describe
from tests.factories import grant, make_employee, sign_in_browser

pytestmark = pytest.mark.browser
PUBLISHERS = "15277fe8-3f96-54e9-9fc5-03cdddb41e6b"  # mygov-calendars-publisher


@pytest.fixture
def trusting_page(browser: Any) -> Iterator[Any]:
    """A page that accepts the dev tenant's locally issued TLS certificate."""
    context = browser.new_context(ignore_https_errors=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def worker(app) -> Iterator[None]:
    embedded = start_embedded_worker(app, with_scheduler=False)
    yield
    embedded.stop()


def _eventually(check, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "did not happen in time"
        time.sleep(0.2)


def test_an_admin_signs_in_grants_a_role_and_the_entra_group_follows(app, tenant, live_server, trusting_page, worker):
    page = trusting_page
    control = tenant.server.control
    control.register_redirect_uris(f"{live_server.url}/auth/callback", f"{live_server.url}/auth/signed-out")
    morgan, ethan = control.user("morgan.reyes@auburnal.gov")["id"], control.user("ethan.park@auburnal.gov")["id"]

    page.goto(f"{live_server.url}/staff/access/")
    page.check(f"input[value='{morgan}']")  # the dev tenant's "choose a demo user" page
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/staff/access/")  # back where the admin was going, signed in

    page.get_by_label("Name or email address").fill("ethan")
    page.get_by_role("button", name="Add Ethan Park to MyGov").click()
    page.get_by_label("Role").select_option("calendars.publisher")
    page.get_by_role("button", name="Grant role").click()
    notice = page.locator("#person-notice")
    expect(notice).to_contain_text("Ethan Park now holds Calendar publisher")
    expect(notice).to_be_focused()  # focus on the result, not <body>
    row = page.locator("tr[data-role='calendars.publisher']")
    row.get_by_text("In the Entra group").wait_for(timeout=15_000)  # updated live by htmx polling
    expect(notice).to_contain_text("Ethan Park now holds Calendar publisher")  # polling keeps the notice
    assert ethan in tenant.group_members(PUBLISHERS)

    row.get_by_role("button", name="Revoke Calendar publisher").click()
    dialog = page.get_by_role("dialog", name="Remove Calendar publisher from Ethan Park?")  # asks first
    dialog.get_by_role("button", name="Remove Calendar publisher").click()
    expect(notice).to_contain_text("Calendar publisher was removed from Ethan Park")
    expect(notice).to_be_focused()
    _eventually(lambda: ethan not in tenant.group_members(PUBLISHERS))
    page.get_by_text("Ethan Park holds no MyGov roles.").wait_for()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/auth/signed-out")
    page.goto(f"{live_server.url}/staff/access/")
    assert "/oauth2/v2.0/authorize" in page.url  # signed out: asked to sign in again


def _admin_page(app, page, live_server) -> None:
    admin = make_employee("Ada Admin")
    grant(admin, "platform.admin")
    sign_in_browser(app, page, live_server.url, admin)


def test_the_permission_screens_have_no_axe_violations(app, tenant, live_server, page):
    link_groups_by_name(graph_client())
    _admin_page(app, page, live_server)
    ethan = make_employee("Ethan Park")
    ethan.entra_oid = tenant.server.control.user("ethan.park@auburnal.gov")["id"]
    db.session.add(RoleAssignment(employee=ethan, module_key="calendars", role_key="publisher", source="manual"))
    db.session.commit()
    check_groups(graph_client())
    db.session.commit()
    screens = [
        "/staff/access/?q=ethan", "/staff/access/?q=grace", f"/staff/access/people/{ethan.id}",
        "/staff/access/groups/", "/staff/access/groups/calendars.publisher?q=mygov-cal",
        "/staff/access/groups/reconcile", "/staff/access/audit", "/staff/access/graph-permissions",
    ]
    for path in screens:
        page.goto(live_server.url + path)
        violations = axe_violations(page)
        assert violations == [], f"{path}: {describe(violations)}"
        assert [e for e in page.console_errors if "Content Security Policy" in e] == [], path


def test_the_403_page_has_no_axe_violations(app, live_server, page):
    editor = make_employee("Eddie Editor")
    grant(editor, "calendars.editor")
    sign_in_browser(app, page, live_server.url, editor)
    response = page.goto(live_server.url + "/staff/access/")
    assert response.status == 403
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_refused_and_signed_out_pages_have_no_axe_violations(live_server, page):
    page.goto(live_server.url + "/auth/callback?state=nothing&code=nothing")
    assert page.locator("h1").inner_text() == "We could not sign you in"
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.goto(live_server.url + "/auth/signed-out")
    assert axe_violations(page) == [], describe(axe_violations(page))
