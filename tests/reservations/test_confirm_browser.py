"""The citizen's side of confirming an address, without JavaScript, in Chromium with axe-core; and
the page a far date gets."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.mail.models import EmailMessage
from app.reservations.models import Reservation
from tests.browser_plugin import axe_violations, describe
from tests.reservations.helpers import make_room, next_open_day
from tests.reservations.browser_helpers import fill_booking

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/security-b")


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _accessible(page, url: str | None = None) -> None:
    """axe-core needs JavaScript: run it in a page that has it."""
    if url:
        page.goto(url)
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_a_citizen_confirms_their_address_without_javascript(app, live_server, browser, page):
    make_room()
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(f"{live_server.url}/reservations/library/study-room-a/")
    fill_booking(plain, next_open_day(), javascript=False)
    plain.click("button[type=submit]")
    expect(plain.locator("h2.usa-alert__heading")).to_contain_text("Confirm your email address by")
    _shoot(plain, "received")
    _accessible(page, plain.url)

    confirm_url = db.session.scalars(select(EmailMessage.context)).one()["confirm_url"]
    db.session.rollback()  # end this thread's read: SQLite lets the server's write commit then
    confirm = live_server.url + "/reservations/confirm/" + confirm_url.rsplit("/", 1)[1]
    plain.goto(confirm)
    expect(plain.locator("h1")).to_have_text("Confirm your email address")
    expect(plain.locator("main")).not_to_contain_text("Book club")  # nothing the requester typed
    _shoot(plain, "confirm")
    _accessible(page, confirm)
    plain.click("text=Confirm my email address")
    expect(plain.locator("main")).to_contain_text("your email address is confirmed")
    _shoot(plain, "confirmed")
    assert db.session.scalars(select(Reservation.email_confirmed_at)).one() is not None
    context.close()


def test_a_date_far_away_gets_a_page_that_says_the_window(app, live_server, page):
    from app.calendars.models import Calendar

    db.session.add(Calendar(name="Parks", slug="parks", time_zone="America/Chicago"))
    db.session.commit()
    response = page.goto(f"{live_server.url}/calendars/parks/day/9999-12-31")
    assert response.status == 400
    expect(page.locator("main")).to_contain_text("Choose dates between")
    _accessible(page)
    _shoot(page, "far-date")
