"""Every public calendar view in Chromium: axe (WCAG 2.1 AA) clean, the skip link the first Tab stop,
the footer's accessibility statement link, and no sideways scrolling at 320 px (month -> agenda)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.demo.services import seed_demo
from tests.browser_plugin import axe_violations, describe
from tests.factories import make_employee, grant, sign_in_browser

pytestmark = pytest.mark.browser
TOMORROW = (datetime.now(ZoneInfo("America/Chicago")).date() + timedelta(days=1)).isoformat()
PUBLIC_VIEWS = [
    "/calendars/", "/calendars/library/", "/calendars/library/?category=Children&q=story",
    "/calendars/library/month", f"/calendars/library/day/{TOMORROW}", "/calendars/library/events/demo-storytime",
    "/calendars/library/events/demo-author-talk", "/calendars/parks/events/demo-festival",
    "/calendars/all/", "/calendars/all/?calendar=parks", "/calendars/all/month", f"/calendars/all/day/{TOMORROW}",
    "/accessibility",
]


@pytest.fixture
def demo(app):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])


@pytest.mark.parametrize("path", PUBLIC_VIEWS)
def test_every_public_calendar_view_passes_axe_and_starts_with_the_skip_link(app, demo, live_server, page, path):
    page.goto(live_server.url + path)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    assert page.locator("footer a", has_text="Accessibility statement").get_attribute("href") == "/accessibility"
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


@pytest.mark.parametrize("path", PUBLIC_VIEWS)
def test_every_public_calendar_view_reflows_at_320_pixels(app, demo, live_server, page, path):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, path


def test_at_phone_width_the_month_agenda_keeps_to_its_month_and_the_search_box_has_all_its_edges(
        app, demo, live_server, page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/calendars/library/month")
    caption = page.locator(".mygov-month caption")
    assert caption.bounding_box()["width"] > 300  # a full-width line, not a column one word wide
    first = page.evaluate("document.querySelector('.mygov-month caption').textContent")
    month = first.split(" events in ")[1].split(" ")[0]
    shown = page.locator(".mygov-month td:visible time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert shown and all(month_of(day) == month for day in shown)  # no "Saturday, 2" of the next month
    page.goto(live_server.url + "/calendars/library/")
    search, place = page.locator("#q"), page.locator("#location")
    assert page.evaluate("getComputedStyle(document.getElementById('q')).borderRightStyle") == "solid"
    assert search.bounding_box()["height"] == place.bounding_box()["height"]


def month_of(day: str) -> str:
    return datetime.fromisoformat(day).strftime("%B")


def test_the_month_becomes_an_agenda_at_320_pixels_and_is_a_table_when_wide(app, demo, live_server, page):
    page.goto(live_server.url + "/calendars/library/month")
    assert page.evaluate("getComputedStyle(document.querySelector('.mygov-month td')).display") == "table-cell"
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + "/calendars/library/month")
    assert page.evaluate("getComputedStyle(document.querySelector('.mygov-month td:not(.mygov-month__empty)')).display") == "block"
    shown = page.locator(".mygov-month td:visible")
    assert 1 <= shown.count() < 28  # empty days are left out of the agenda
    assert "Toddler Story Time" in page.locator(".mygov-month").inner_text()
    assert shown.first.locator(".mygov-month__weekday").is_visible()  # each day says its weekday
    caption = page.locator(".mygov-month caption").bounding_box()
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.mygov-month caption')).lineHeight)")
    assert caption["width"] > 200 and caption["height"] < 3 * line  # not one word per line


def test_the_staff_calendar_screens_are_axe_clean_with_errors_and_occurrences(app, demo, live_server, page):
    editor = make_employee("Cal Editor")
    grant(editor, "calendars.editor", "calendars.publisher")
    sign_in_browser(app, page, live_server.url, editor)
    page.goto(f"{live_server.url}/staff/calendars/new")
    page.click("button:has-text('Save calendar')")
    page.locator("#error-summary").wait_for()
    assert axe_violations(page) == []
    from app.calendars.models import CalendarEvent
    from app.extensions import db

    storytime = db.session.query(CalendarEvent).filter_by(uid="demo-storytime").one()
    page.goto(f"{live_server.url}/staff/calendars/events/{storytime.id}")
    page.click("button:has-text('Move this date')")
    page.locator("#error-summary").wait_for()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    page.goto(f"{live_server.url}/staff/calendars/")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
