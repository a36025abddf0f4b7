"""The security screens in Chromium: publishing mailboxes, a calendar waiting for IT, and the
changes waiting for a publisher; axe-core clean, usable at 1280 and 390 px, without JavaScript too."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.calendars.models import CalendarEvent
from app.calendars.services import publish_event, save_event
from app.extensions import db
from tests.browser_plugin import axe_violations, describe
from tests.calendars.conftest import MAILBOX, calendar_publisher
from tests.calendars.test_publishing import _input
from tests.factories import grant, make_employee, sign_in_browser
from tests.jobs.helpers import drain

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/security-a")


def _check(page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_admin_and_publisher_screens(app, meetings, tenant, live_server, page):
    tenant.scope_exchange_access(["rm_LIB_StudyRoomA@auburnal.gov"])
    publisher = calendar_publisher()
    event = save_event(meetings, None, _input(), publisher)
    publish_event(event, publisher)
    drain()  # Exchange refuses the meetings mailbox: the write waits for IT
    editor = make_employee("Eddie Editor")
    grant(editor, "calendars.editor")
    from app.calendars.services import RevisionProposed

    with pytest.raises(RevisionProposed):
        save_event(meetings, db.session.get(CalendarEvent, event.id), _input(title="Council meeting (moved)"), editor)

    admin = make_employee("Pat Admin")
    grant(admin, "platform.admin", "calendars.publisher")
    sign_in_browser(app, page, live_server.url, admin)

    page.goto(f"{live_server.url}/staff/calendars/mailboxes/")
    page.click("button:has-text('Approve mailbox')")
    page.locator("#error-summary").wait_for()
    _check(page, "publishing-mailboxes-errors")
    page.fill("#field-address", "events@auburnal.gov")
    page.fill("#field-reason", "Parks events calendar")
    page.click("button:has-text('Approve mailbox')")
    expect(page.locator("table caption")).to_have_text("Approved mailboxes")
    _check(page, "publishing-mailboxes")

    page.goto(f"{live_server.url}/staff/calendars/")
    expect(page.locator(".usa-alert--warning")).to_contain_text(f"Waiting for IT: Exchange refuses MyGov’s changes")
    _check(page, "calendars-waiting-for-it")

    page.click("text=Changes waiting for a publisher (1)")
    expect(page.locator("h1")).to_have_text("Changes waiting for a publisher")
    _check(page, "revisions")
    page.click("button:has-text('Apply the change to Council meeting')")
    expect(page.locator("h1")).to_contain_text("Council meeting (moved)")
    assert db.session.scalars(select(CalendarEvent.title)).one() == "Council meeting (moved)"


def test_the_publishing_mailboxes_table_reflows_at_320_pixels(app, live_server, page):
    from app.calendars.mailboxes import approve as approve_mailbox

    admin = make_employee("Pat Admin")
    grant(admin, "platform.admin")
    approve_mailbox("community-events@auburnal.gov", "Demo city: Parks and Recreation events", admin)
    sign_in_browser(app, page, live_server.url, admin)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/staff/calendars/mailboxes/")
    expect(page.locator("tbody th")).to_have_text("community-events@auburnal.gov")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert axe_violations(page) == []
