"""The directory and employee screens in Chromium: axe-clean, and the htmx search updates the list
and the live count in place."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser_plugin import axe_violations, describe
from tests.factories import grant, make_employee, sign_in_browser
from tests.people.helpers import employee_with_contact

pytestmark = pytest.mark.browser


def _people() -> None:
    employee_with_contact("Ana Gómez", department="Parks and Recreation", job_title="Park Ranger",
                          business_phone="334-501-3000", show_publicly=True)
    employee_with_contact("Bo Reader", department="Library", job_title="Librarian", show_publicly=True)


def test_directory_is_axe_clean_and_searches_in_place(app, live_server, page):
    _people()
    page.goto(live_server.url + "/directory/")
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.fill("#directory-q", "library")
    expect(page.locator("#directory-count")).to_have_text("1 staff member found.")
    assert page.locator("#directory-results").inner_text().count("Bo Reader") == 1
    assert "Ana Gómez" not in page.locator("#directory-results").inner_text()
    assert "/directory/?q=library" in page.url  # pushed: the address can be shared or reloaded
    assert page.locator("#directory-count").get_attribute("role") == "status"
    assert page.locator("h1").count() == 1
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_directory_search_works_without_javascript(app, live_server, browser):
    _people()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/directory/")
    page.fill("#directory-q", "ranger")
    page.click("button[type=submit]")
    assert "1 staff member found." in page.locator("#directory-count").inner_text()
    assert "Ana Gómez" in page.content() and "Bo Reader" not in page.content()
    context.close()


def test_employee_page_with_field_errors_is_axe_clean(app, live_server, page):
    target = employee_with_contact("Robin Legal", job_title="Clerk")
    editor = make_employee("Editor Person")
    grant(editor, "employees.editor")
    sign_in_browser(app, page, live_server.url, editor)
    page.goto(f"{live_server.url}/staff/employees/{target.id}")
    page.fill("#field-public_phone", "not a phone")
    page.click("text=Save public details")
    expect(page.locator("#error-public_phone")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)



def test_directory_reflows_at_320_pixels(app, live_server, page):
    _people()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + "/directory/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
