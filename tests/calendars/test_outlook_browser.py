"""Publishing from Outlook in Chromium: sources, the list with checkboxes, the change review and the
help page; axe-core finds no violations on any of them."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.graph import calendar as graph_calendar
from app.microsoft import graph_client
from tests.browser_plugin import axe_violations, describe
from tests.calendars.test_outlook_import import CENTRAL, RANGE, ROOM, outlook_event, programs  # noqa: F401 (fixture)
from tests.factories import grant, make_employee, sign_in_browser

pytestmark = pytest.mark.browser


def _assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_an_admin_adds_a_source_and_a_publisher_publishes_reviews_and_applies(app, programs, live_server, page):
    admin = make_employee("Pat Admin")
    grant(admin, "platform.admin", "calendars.publisher")
    sign_in_browser(app, page, live_server.url, admin)

    page.goto(f"{live_server.url}/staff/outlook/sources")
    _assert_accessible(page)
    page.click("button:has-text('Add source')")
    page.locator("#error-summary").wait_for()
    _assert_accessible(page)
    page.fill("#field-name", "Library program room")
    page.fill("#field-mailbox", ROOM)
    page.select_option("#field-calendar_id", label="Library Programs")
    page.click("button:has-text('Add source')")
    expect(page.locator("table caption")).to_have_text("Configured sources")

    talk = outlook_event("Author talk")
    outlook_event("Knitting circle", day="2027-03-10")
    outlook_event("Board meeting", day="2027-03-11", sensitivity="private")
    page.goto(f"{live_server.url}/staff/outlook/")
    _assert_accessible(page)
    page.click("text=Library program room")
    page.fill("#range-from", RANGE["from"])
    page.fill("#range-to", RANGE["to"])
    page.click("button:has-text('Show')")
    expect(page.locator("[role=status]")).to_have_text("3 events in Outlook from March 1, 2027 to March 31, 2027.")
    expect(page.locator("text=Private in Outlook: cannot be published")).to_be_visible()
    _assert_accessible(page)
    page.locator("label[for=pick-1]").click()
    page.locator("label[for=pick-2]").click()
    page.locator("label[for=status-published]").click()
    page.click("button:has-text('Publish to website')")
    expect(page.locator(".usa-alert--success")).to_contain_text("2 events published on the website")
    expect(page.locator("td .usa-tag.bg-green")).to_have_count(2)
    _assert_accessible(page)

    graph_calendar.update_event(graph_client(), ROOM, talk["id"], {
        "subject": "Author talk (moved)", "start": {"dateTime": "2027-03-09T17:00:00", "timeZone": CENTRAL},
        "end": {"dateTime": "2027-03-09T18:30:00", "timeZone": CENTRAL}})
    page.reload()
    expect(page.locator("text=Changed in Outlook")).to_have_count(1)
    page.click("text=Review the change")
    expect(page.locator("h1")).to_have_text("Changed in Outlook: Author talk")
    _assert_accessible(page)
    expect(page.locator("#take-title-outlook")).to_be_checked()
    page.click("button:has-text('Apply my choices')")
    expect(page.locator(".usa-alert--success")).to_contain_text("is updated with the Outlook fields you chose")
    expect(page.locator("h1")).to_have_text("Changed in Outlook: Author talk (moved)")

    page.goto(f"{live_server.url}/staff/outlook/help")
    expect(page.locator("h2").first).to_have_text("Outlook is read-only for the website")
    _assert_accessible(page)
