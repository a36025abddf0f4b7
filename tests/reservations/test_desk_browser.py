"""The booking desk in Chromium: list and grid are axe-clean, keyboard-reachable, and a list at 390px."""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.browser_plugin import axe_violations, describe
from tests.factories import grant, make_employee, sign_in_browser
from tests.reservations.desk_helpers import add_reservation, outlook_booking
from tests.reservations.helpers import make_room, next_open_day

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("DESK_SCREENSHOTS")  # a folder to save screenshots in, when looking at the pages


def _accessible(page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}-{page.viewport_size['width']}.png", full_page=True)


def test_desk_list_and_grid_in_chromium(app, live_server, page, exchange):
    space = make_room()
    day = next_open_day()
    add_reservation(space, day, "10:00", "11:30", name="Ann Citizen")
    add_reservation(space, day, "14:00", "15:00", status="pending", name="Pia Pending", email="pia@example.org")
    outlook_booking(exchange, space.exchange_resource_mailbox, day, "16:00", "17:00", "Board training")
    viewer = make_employee("Val Viewer")
    grant(viewer, "reservations.approver", "facilities.editor")
    sign_in_browser(app, page, live_server.url, viewer)

    page.goto(f"{live_server.url}/staff/bookings/")
    expect(page.locator("[role=status]")).to_contain_text("Showing 1 to 2 of 2 bookings.")
    _accessible(page, "desk-list")
    page.fill("#desk-q", "pia@")
    page.keyboard.press("Enter")  # htmx swaps the results only
    expect(page.locator("[role=status]")).to_contain_text("Showing 1 to 1 of 1 booking.")
    expect(page.locator("#results")).not_to_contain_text("Ann Citizen")
    assert "q=pia%40" in page.url
    page.fill("#desk-from", "")
    page.goto(f"{live_server.url}/staff/bookings/?from=nonsense")
    expect(page.locator("#desk-from-error")).to_contain_text("Enter the first day as a date")
    _accessible(page, "desk-list-error")

    page.goto(f"{live_server.url}/staff/bookings/grid?date={day}")
    expect(page.locator(".desk-grid")).to_contain_text("Busy in Outlook")
    expect(page.locator(".desk-grid")).to_contain_text("Reservation · Waiting for approval")
    expect(page.locator(".desk-list")).to_be_hidden()
    _accessible(page, "desk-grid-day")
    page.select_option("#grid-view", "week")
    page.click("button:has-text('Show')")
    expect(page.locator("#grid-heading")).to_contain_text("Week of")
    _accessible(page, "desk-grid-week")

    page.goto(f"{live_server.url}/staff/reservations/")
    expect(page.locator("header nav")).to_contain_text("Reservations (1 to review)")
    page.locator("label:has-text('Tick R-')").click()
    page.click("button:has-text('Deny the ticked requests')")
    expect(page.locator("h1")).to_have_text("Deny 1 request?")
    page.click("button:has-text('Yes, deny 1 request')")
    expect(page.locator("#bulk-reason-error")).to_contain_text("Give the reason")
    _accessible(page, "bulk-confirm-error")
    page.click("text=No, go back to the queue")

    page.goto(f"{live_server.url}/staff/bookings/new/")
    page.select_option("#field-space", str(space.id))
    page.fill("#field-date", day.isoformat())
    page.fill("#field-start_time", "21:00")
    page.fill("#field-end_time", "22:00")
    page.click("button:has-text('Book the room')")
    expect(page.locator("#error-summary")).to_contain_text("Choose a start time within the opening hours")
    expect(page.locator("#field-start_time")).to_have_attribute("aria-invalid", "true")
    _accessible(page, "staff-booking-errors")

    # The citizen's repeating booking: the dates are listed, free or not, before anything is sent.
    page.goto(f"{live_server.url}/reservations/library/study-room-a/repeat")
    page.fill("#field-date", day.isoformat())
    page.fill("#field-start_time", "14:00")
    page.fill("#field-end_time", "15:00")
    page.fill("#field-count", "2")
    page.fill("#field-requester_name", "Cleo Club")
    page.fill("#field-requester_email", "cleo@example.org")
    page.fill("#field-purpose", "Chess club")
    page.fill("#field-attendees", "6")
    page.click("button:has-text('Check which dates are free')")
    expect(page.locator("#dates [role=status]")).to_have_text("1 of 2 dates are free. Tick the ones to send.")
    _accessible(page, "series-dates")

    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server.url}/staff/bookings/grid?date={day}")
    expect(page.locator(".desk-grid")).to_be_hidden()
    expect(page.locator(".desk-list")).to_contain_text("Board training")
    expect(page.locator(".desk-list")).to_contain_text("Ann Citizen")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _accessible(page, "desk-grid-day")
    page.goto(f"{live_server.url}/staff/bookings/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _accessible(page, "desk-list")
