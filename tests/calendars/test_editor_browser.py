"""The event editor in Chromium (issue 20): the repeat builder's next dates update with htmx, a first
date the rule excludes is refused with the rule's first date offered, categories and images; axe-core
(WCAG 2.1 and 2.2 AA) finds nothing on the editor, its errors or the category screen."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.calendars.models import Calendar, CalendarCategory, CalendarEvent
from app.extensions import db
from tests.browser_plugin import axe_violations, describe
from tests.factories import grant, make_employee, sign_in_browser

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/calendars")


def _assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def _shots(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_editor_builds_a_repeat_shows_its_dates_and_offers_the_rules_first_date(app, live_server, page):
    calendar = Calendar(name="Library", slug="library", time_zone="America/Chicago")
    db.session.add(calendar)
    db.session.flush()
    db.session.add_all([CalendarCategory(calendar_id=calendar.id, name=n) for n in ("Children", "Adults")])
    db.session.commit()
    editor = make_employee("Cal Editor")
    grant(editor, "calendars.editor", "calendars.publisher")
    sign_in_browser(app, page, live_server.url, editor)

    page.goto(f"{live_server.url}/staff/calendars/{calendar.id}/events/new")
    _assert_accessible(page)
    page.fill("#field-title", "Chess club")
    page.fill("#field-start_date", "2027-03-10")  # a Wednesday
    page.fill("#field-start_time", "16:00")
    page.fill("#field-end_time", "17:30")
    page.select_option("#field-repeat_freq", "weekly")
    preview = page.locator("#repeat-preview")
    expect(preview).to_contain_text("Every week on Wednesday. Next dates:")
    expect(preview).to_contain_text("Wednesday, March 17, 2027 at 4:00 PM")
    # The monthly choice names the first day's weekday as soon as the first day is known, not after a save.
    expect(page.locator("label[for=field-repeat_monthly_by-weekday]")).to_have_text(
        "The same weekday: the second Wednesday")
    page.locator("label[for=field-repeat_days-TU]").click()
    page.locator("label[for=field-repeat_ends-after]").click()
    page.fill("#field-repeat_count", "8")
    page.locator("#field-repeat_count").blur()
    expect(preview).to_contain_text("Every week on Tuesday, 8 times")
    expect(preview).to_contain_text("is not one of the dates this repeat makes")
    page.select_option("#field-category", "Children")
    _assert_accessible(page)

    page.click("button:has-text('Save')")
    expect(page.locator("#error-summary")).to_contain_text("its first date is Tuesday, March 16, 2027")
    expect(page.locator("#field-start_date")).to_have_attribute("aria-invalid", "true")
    _assert_accessible(page)
    _shots(page, "editor-first-date-refused")
    page.click("button:has-text('Start on Tuesday, March 16, 2027 instead')")
    expect(page.locator("#field-start_date")).to_have_value("2027-03-16")
    page.click("button:has-text('Save')")
    expect(page.locator(".usa-alert--success")).to_contain_text("“Chess club” is saved")
    event = db.session.scalars(select(CalendarEvent)).one()
    assert (event.rrule, event.category) == ("FREQ=WEEKLY;COUNT=8;BYDAY=TU", "Children")
    expect(page.locator("#field-repeat_freq")).to_have_value("weekly")
    expect(page.locator("#repeat-preview")).to_contain_text("Tuesday, March 23, 2027 at 4:00 PM")
    _assert_accessible(page)
    _shots(page, "editor-saved-series")

    page.goto(f"{live_server.url}/staff/calendars/{calendar.id}/categories")
    _assert_accessible(page)
    page.fill("#field-name", "Teens")
    page.click("button:has-text('Add category')")
    expect(page.locator("table caption")).to_have_text("Categories (3)")
    _assert_accessible(page)
    _shots(page, "categories")


def test_without_javascript_show_the_next_dates_lands_on_the_dates(app, live_server, browser):
    calendar = Calendar(name="Parks", slug="parks", time_zone="America/Chicago")
    db.session.add(calendar)
    db.session.commit()
    editor = make_employee("Cal Editor")
    grant(editor, "calendars.editor")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    sign_in_browser(app, page, live_server.url, editor)
    page.goto(f"{live_server.url}/staff/calendars/{calendar.id}/events/new")
    page.fill("#field-start_date", "2027-03-13")
    page.fill("#field-start_time", "09:00")
    page.select_option("#field-repeat_freq", "monthly")
    page.click("button:has-text('Show the next dates')")
    preview = page.locator("#repeat-preview")
    expect(preview).to_contain_text("Every month on day 13")
    assert preview.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
    context.close()
