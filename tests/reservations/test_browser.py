"""Booking and approval in Chromium, with and without JavaScript; axe-core finds no violations."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.reservations.models import Reservation
from tests.browser_plugin import axe_violations, describe
from tests.factories import grant, make_employee, sign_in_browser
from tests.reservations.browser_helpers import fill_booking
from tests.reservations.helpers import make_room, next_open_day

pytestmark = pytest.mark.browser


def _assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []



def test_booking_with_javascript_refreshes_free_times_and_is_accessible(app, live_server, page):
    from app.web.images import store_image
    from tests.people.helpers import png_bytes

    space = make_room()
    space.photo_path, space.photo_alt = store_image(png_bytes(), "png"), "A quiet room with a round table."
    db.session.commit()
    day = next_open_day()
    page.goto(f"{live_server.url}/reservations/")
    expect(page.get_by_alt_text("A quiet room with a round table.")).to_be_visible()
    _assert_accessible(page)
    page.click("text=See free times and reserve")
    expect(page.locator("h1")).to_have_text("Reserve Study Room A, Auburn Public Library")
    _assert_accessible(page)

    page.fill("#field-date", day.isoformat())
    page.dispatch_event("#field-date", "change")
    expect(page.locator("#day-free-times")).to_contain_text(f"Free on {day.strftime('%A, %B %-d')}")
    expect(page.locator("#day-free-times")).to_contain_text("9:00 AM to 8:00 PM")
    # A new start swaps in only the ends that fit it, keeping the end chosen while it still fits.
    page.select_option("#field-end_time", "11:30")
    page.select_option("#field-start_time", "10:00")
    expect(page.locator("#field-end_time option[value='10:00']")).to_have_count(0)
    expect(page.locator("#field-end_time")).to_have_value("11:30")
    page.select_option("#field-start_time", "12:00")
    expect(page.locator("#field-end_time option[value='11:30']")).to_have_count(0)
    expect(page.locator("#field-end_time")).to_have_value("")
    _assert_accessible(page)
    page.select_option("#field-start_time", "10:00")
    expect(page.locator("#field-end_time option[value='11:30']")).to_have_count(1)
    page.select_option("#field-end_time", "11:30")
    fill_booking(page, day)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("We received your request")
    _assert_accessible(page)
    reference = db.session.scalars(select(Reservation.reference)).one()
    expect(page.locator("main")).to_contain_text(reference)
    assert space.id


def test_booking_without_javascript_shows_errors_then_books(app, live_server, browser):
    make_room()
    day = next_open_day()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.console_errors = []
    page.goto(f"{live_server.url}/reservations/library/study-room-a/")
    fill_booking(page, day, javascript=False)
    page.fill("#field-requester_email", "not an address")
    page.click("button[type=submit]")
    expect(page.locator("#error-summary")).to_contain_text("Email address: Enter an email address")
    expect(page.locator("#error-summary")).to_be_focused()  # the re-rendered page puts focus on what is wrong
    expect(page.locator("#field-requester_email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#day-free-times")).to_contain_text("9:00 AM to 8:00 PM")  # the chosen day
    # axe-core is JavaScript: it cannot run in this context (the error state is axe-checked in
    # test_booking_errors_are_accessible below, in a context with JavaScript).

    page.fill("#field-requester_email", "ann@example.org")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("We received your request")
    page.click("text=view or cancel it now")
    page.click("text=Cancel reservation")
    expect(page.locator(".usa-alert")).to_contain_text("is cancelled")
    context.close()


def test_booking_errors_are_accessible(app, live_server, page):
    make_room()
    page.goto(f"{live_server.url}/reservations/library/study-room-a/")
    fill_booking(page, next_open_day())
    page.fill("#field-requester_email", "not an address")
    page.click("button[type=submit]")
    expect(page.locator("#error-summary")).to_contain_text("Email address: Enter an email address")
    _assert_accessible(page)


def test_staff_approve_from_the_queue(app, live_server, page, client):
    from tests.reservations.helpers import booking_form, submit

    submit(client, make_room(), booking_form(next_open_day()))
    approver = make_employee("Alex Approver")
    grant(approver, "reservations.approver")
    sign_in_browser(app, page, live_server.url, approver)
    page.goto(f"{live_server.url}/staff/reservations/")
    _assert_accessible(page)
    page.click("a:has-text('R-')")
    _assert_accessible(page)
    page.click("button:has-text('Deny')")
    dialog = page.get_by_role("dialog")  # destructive: asked in a modal first, focus inside it
    expect(dialog).to_contain_text("is told by email that the request is refused")
    expect(dialog.locator("h2")).to_be_focused()
    _assert_accessible(page)
    page.keyboard.press("Escape")  # no: nothing sent, focus back on the button
    expect(dialog).to_have_count(0)
    expect(page.locator("button:has-text('Deny')")).to_be_focused()
    page.click("button:has-text('Deny')")
    page.get_by_role("dialog").locator("button:has-text('Deny request')").click()
    expect(page.locator("#deny-error")).to_contain_text("Give the reason")
    _assert_accessible(page)
    page.click("button:has-text('Approve')")
    expect(page.locator(".usa-alert--success")).to_contain_text("Approved")
    expect(page.locator("h1")).to_contain_text("Approved")
    _assert_accessible(page)

