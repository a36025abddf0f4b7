"""In Chromium: an editor opens a space's reservation settings, a bad answer is shown on its field,
the corrected form saves; axe-core finds nothing at 1280 and 390 px."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser_plugin import axe_violations, describe
from tests.facilities.helpers import make_facility, make_space
from tests.factories import grant, make_employee, sign_in_browser

pytestmark = pytest.mark.browser


def _accessible(page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}: {describe(violations)}"
    assert [e for e in page.console_errors if "Content Security Policy" in e] == [], what


def test_an_editor_sets_the_reservation_rules_of_a_space(app, live_server, page):
    space = make_space(make_facility(), exchange_resource_mailbox="rm_LIB_ProgramRoom@auburnal.gov")
    editor = make_employee("Eddie Editor")
    grant(editor, "facilities.editor")
    sign_in_browser(app, page, live_server.url, editor)
    page.goto(f"{live_server.url}/staff/facilities/spaces/{space.id}/")
    page.get_by_role("link", name="Reservation settings").click()
    expect(page.locator("h1")).to_have_text("Reservation settings: Program Room")
    _accessible(page, "settings")

    page.locator("label[for=field-citizen_reservable]").click()  # USWDS draws the box on the label
    page.get_by_label("Monday").fill("9:00-12:00, 11:00-13:00")
    page.locator("label[for=step-30]").click()
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved: 1 answer needs attention")
    expect(page.locator("#field-hours_1")).to_have_attribute("aria-invalid", "true")
    _accessible(page, "settings with an error")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/rooms/settings-error-{width}.png", full_page=True)

    page.get_by_label("Monday").fill("9:00-12:00, 13:00-17:00")
    page.get_by_label("Instructions shown to citizens").fill("Pick up the key at the front desk.")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.locator(".usa-alert--success")).to_contain_text("The reservation settings are saved")
    expect(page.locator("#field-hours_1")).to_have_value("09:00-12:00, 13:00-17:00")
    expect(page.locator("#field-citizen_reservable")).to_be_checked()
    expect(page.locator("#step-30")).to_be_checked()
    _accessible(page, "settings saved")

    page.goto(f"{live_server.url}/staff/facilities/{space.facility_id}/")
    page.get_by_role("link", name="Closures").click()
    _accessible(page, "closures")
    page.get_by_label("Why it is closed").fill("Floor repairs")
    page.get_by_role("button", name="Add the closure").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the first day as year-month-day")
    _accessible(page, "closures with an error")
    page.get_by_label("First day", exact=True).fill("2026-12-24")
    page.get_by_role("button", name="Add the closure").click()
    expect(page.locator("table")).to_contain_text("Floor repairs")
    _accessible(page, "closure added")
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path="/tmp/rooms/closures-390.png", full_page=True)
