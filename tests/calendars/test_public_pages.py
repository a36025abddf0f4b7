"""Public calendar pages: the list view is the default, recurrences expanded, cancellations in words."""
from __future__ import annotations

import pytest

from app.demo.services import seed_demo
from tests.browser_plugin import axe_violations, describe


@pytest.fixture
def demo(app):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])


def test_the_index_lists_public_calendars(app, client, demo):
    html = client.get("/calendars/").get_data(as_text=True)
    assert "Library Events" in html and "/calendars/library/" in html


def test_the_list_view_expands_recurrences_and_says_cancelled_in_words(app, client, demo):
    html = client.get("/calendars/library/").get_data(as_text=True)
    assert html.count("Toddler Story Time") >= 8  # weekly, over the next 60 days
    assert "Cancelled</span> Author Talk" in html  # a word, not only a colour
    assert "America/Chicago time" in html  # the zone is stated
    assert "(today)" in html or "Events for the next 60 days" in html


def test_the_subscribe_links_follow_what_clients_need(app, client, demo):
    html = client.get("/calendars/library/").get_data(as_text=True)
    assert 'href="webcal://localhost/calendars/library.ics"' in html
    assert "calendar.google.com/calendar/r?cid=webcal%3A%2F%2Flocalhost%2Fcalendars%2Flibrary.ics" in html
    assert "one-time copy" in html and "up to a day" in html


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/calendars/", "/calendars/library/"])
def test_calendar_pages_have_no_axe_violations(app, demo, live_server, page, path):
    page.goto(live_server.url + path)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
