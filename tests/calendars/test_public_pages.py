"""Public calendar pages: the list view is the default, recurrences expanded, cancellations in words."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

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
    assert re.search(r"Cancelled</span> <a [^>]+>Author Talk", html)  # a word, not only a colour
    assert "America/Chicago time" in html  # the zone is stated
    assert re.search(r'role="status"[^>]*>\d+ events from ', html)


def test_a_place_that_already_names_its_facility_does_not_repeat_it(app, client, demo):
    html = client.get("/calendars/library/").get_data(as_text=True)
    assert "Program Room, Auburn Public Library" in html  # the story time's place
    assert "Auburn Public Library (Auburn Public Library)" not in html


def test_filters_are_shareable_get_parameters_and_htmx_gets_only_the_results(app, client, demo):
    page = client.get("/calendars/library/?q=story&category=Children").get_data(as_text=True)
    assert "Toddler Story Time" in page and "Computer Help" not in page
    assert 'value="story"' in page and '<option value="Children" selected>' in page
    fragment = client.get("/calendars/library/?q=computer", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "Computer Help Drop-in" in text and "Toddler" not in text
    assert re.search(r'role="status"[^>]*>1 event from ', text) and "HX-Request" in fragment.headers["Vary"]


def test_bad_dates_get_a_message_not_an_error(app, client, demo):
    page = client.get("/calendars/library/?from=yesterday&to=2026-01-01")
    assert page.status_code == 200
    assert "Enter dates as year-month-day" in page.get_data(as_text=True)


def test_the_subscribe_links_follow_what_clients_need(app, client, demo):
    app.config["PUBLIC_BASE_URL"] = "https://mygov.auburnal.gov"
    html = client.get("/calendars/library/").get_data(as_text=True)
    assert 'href="webcal://mygov.auburnal.gov/calendars/library.ics"' in html
    assert "calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fmygov.auburnal.gov%2Fcalendars%2Flibrary.ics" in html
    assert "one-time copy" in html and "up to a day" in html


def test_the_month_view_is_a_real_table_with_today_marked_in_words(app, client, demo):
    html = client.get("/calendars/library/month").get_data(as_text=True)
    today = datetime.now(ZoneInfo("America/Chicago")).date()
    assert f"<caption>Library Events events in {today.strftime('%B %Y')}</caption>" in html
    assert html.count('<th scope="col">') == 7
    cell = html.split('aria-current="date"')[1].split("</td>")[0]
    assert "<strong>today</strong>" in cell
    assert "Toddler Story Time" in html


def test_a_bad_month_falls_back_to_this_month_and_a_bad_day_is_not_found(app, client, demo):
    assert client.get("/calendars/library/month?month=2026-13").status_code == 200
    assert client.get("/calendars/library/day/not-a-day").status_code == 404


def test_the_day_view_and_the_event_page(app, client, demo):
    today = datetime.now(ZoneInfo("America/Chicago")).date().isoformat()
    assert "(today)" in client.get(f"/calendars/library/day/{today}").get_data(as_text=True)
    event = client.get("/calendars/library/events/demo-storytime").get_data(as_text=True)
    assert "<h1>Toddler Story Time</h1>" in event and "Upcoming dates" in event
    cancelled = client.get("/calendars/library/events/demo-author-talk").get_data(as_text=True)
    assert "<h1>Cancelled: Author Talk" in cancelled and "This event is cancelled." in cancelled
    assert client.get("/calendars/library/events/no-such-event").status_code == 404


@pytest.mark.browser
@pytest.mark.parametrize("slug", ["library", "all"])
def test_filtering_with_htmx_updates_in_place_pushes_the_url_and_keeps_focus(app, demo, live_server, page, slug):
    page.goto(live_server.url + f"/calendars/{slug}/")
    page.evaluate("window.mygovMarker = 'same page'")
    page.focus("#category")
    page.select_option("#category", "Adults")
    page.wait_for_url("**category=Adults**")
    status = page.locator('[role="status"]')
    status.wait_for()
    assert "Toddler Story Time" not in page.locator("#results").inner_text()
    assert page.evaluate("document.activeElement.id") == "category"  # focus is not lost
    assert page.evaluate("window.mygovMarker") == "same page"  # updated in place
    assert "category=Adults" in page.locator("#feed-address").input_value()  # the feed of what is shown
    violations = axe_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.browser
def test_filtering_works_without_javascript(app, demo, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/calendars/library/")
    page.fill("#q", "computer")
    page.click("button:has-text('Show events')")
    assert "q=computer" in page.url
    assert "Computer Help Drop-in" in page.locator("#results").inner_text()
    assert "Toddler Story Time" not in page.locator("#results").inner_text()
    context.close()


def test_an_event_page_labels_each_date_cst_or_cdt_by_that_date_not_by_today(app, client, demo):
    from datetime import time, timedelta

    from sqlalchemy import select

    from app.calendars.models import Calendar, CalendarEvent
    from app.extensions import db

    zone = ZoneInfo("America/Chicago")
    library = db.session.scalar(select(Calendar).where(Calendar.slug == "library"))
    start = datetime.combine(datetime.now(zone).date() + timedelta(days=1), time(19), zone)
    db.session.add(CalendarEvent(calendar=library, uid="monthly-board", title="Library Board", description="",
                                 time_zone="America/Chicago", rrule="FREQ=MONTHLY;COUNT=10", status="published",
                                 start_at=start, end_at=start + timedelta(hours=1)))
    db.session.commit()
    html = client.get("/calendars/library/events/monthly-board").get_data(as_text=True)
    dates = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">[^<]+</time>, <time[^>]+>7:00 PM</time> to '
                       r'<time[^>]+>8:00 PM</time> (C[SD]T)', html)
    assert len(dates) == 10, html
    for day, label in dates:
        expected = datetime.combine(datetime.fromisoformat(day).date(), time(19), zone).tzname()
        assert label == expected, (day, label)
    assert {label for _, label in dates} == {"CST", "CDT"}
