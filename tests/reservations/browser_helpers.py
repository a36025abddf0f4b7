"""Filling the public booking form in Chromium, shared by the reservation browser tests."""
from __future__ import annotations

from playwright.sync_api import expect


def fill_booking(page, day, *, javascript: bool = True) -> None:
    page.fill("#field-date", day.isoformat())
    if javascript:  # the date swaps in the day's lists: no booking ends at opening time
        expect(page.locator("#field-end_time option[value='09:00']")).to_have_count(0)
    page.select_option("#field-start_time", "10:00")
    if javascript:  # the start swaps in its end list: the ends start after it
        expect(page.locator("#field-end_time option[value='10:00']")).to_have_count(0)
    page.select_option("#field-end_time", "11:30")
    page.fill("#field-requester_name", "Ann Citizen")
    page.fill("#field-requester_email", "ann@example.org")
    page.fill("#field-purpose", "Book club")
    page.fill("#field-attendees", "8")
