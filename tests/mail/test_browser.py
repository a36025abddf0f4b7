"""The new mail, server job and SharePoint screens in Chromium: axe-clean at desktop and phone widths, no JS needed."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.facilities.models import Facility
from app.mail.services import send_template
from app.sqltypes import utcnow
from tests.browser_plugin import axe_violations, describe
from tests.factories import grant, make_employee, sign_in_browser

SHOTS = "/tmp/mailjobs"


def _check(page, name: str) -> None:
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        violations = axe_violations(page)
        assert violations == [], f"{name} at {width}px: {describe(violations)}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways at {width}px"
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    body = page.locator("main").inner_text()
    assert "None" not in body


@pytest.mark.browser
def test_mail_jobs_and_sharepoint_screens_are_accessible(app, live_server, page):
    admin = make_employee("Ada Admin")
    grant(admin, "platform.admin", "facilities.editor", "facilities.viewer")
    facility = Facility(name="Auburn Public Library", slug="library", building_abbreviation="LIB", address="749 E Thach Ave")
    db.session.add(facility)
    bounced = send_template("notice", recipient="nobody@example.org", recipient_name="Nobody",
                            context={"title": "Your staff role changed", "message": "Hello."},
                            related_type="role_assignment", related_id=4)
    bounced.send_status, bounced.delivery_status, bounced.bounced_at = "sent", "bounced", utcnow()
    bounced.bounce_detail = "550 5.1.1 The email account that you tried to reach does not exist."
    db.session.commit()
    sign_in_browser(app, page, live_server.url, admin)
    base = live_server.url

    page.goto(f"{base}/staff/mail/templates")
    _check(page, "mail-templates")
    page.get_by_role("link", name="Reservation confirmed").click()
    assert "Hello Dana Whitfield" in page.locator(".mail-preview").inner_text()
    page.get_by_label("Text").fill("Hello {{ requester_name }}, see {{ citizen_phone }}")
    page.get_by_role("button", name="Save as a new version").click()
    assert page.locator("#body").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "body"  # focus where the problem is
    _check(page, "mail-template-error")
    page.get_by_label("Text").fill("Hello {{ requester_name }},\n\nYou are booked: {{ details }}\n\n{{ manage_url }}")
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("not saved yet").wait_for()
    assert page.evaluate("document.activeElement.id") == "preview"
    _check(page, "mail-template-draft")
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_text("Saved as version 1").wait_for()
    assert "You are booked: Reference: R-7KQ2M9XD" in page.locator(".mail-preview").inner_text()
    _check(page, "mail-template-saved")

    page.goto(f"{base}/staff/mail/log")
    page.get_by_text("What the mail server said").click()
    assert "550 5.1.1" in page.locator("main").inner_text()
    _check(page, "mail-log")
    page.get_by_label("Delivery").select_option("queued")
    page.get_by_text("0 messages match").wait_for()

    page.goto(f"{base}/staff/ops/jobs")
    page.get_by_role("link", name="Add a job").click()
    page.get_by_label("Name").fill("Weekly pruning")
    page.get_by_label("What it does").select_option("jobs.prune_runs")
    page.get_by_label("Cron expression").fill("every week")
    page.get_by_role("button", name="Create the job").click()
    assert page.locator("#cron").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "cron"
    _check(page, "job-new-error")
    page.get_by_label("Cron expression").fill("0 4 * * 0")
    page.get_by_role("button", name="Create the job").click()
    page.get_by_text("“Weekly pruning” is created").wait_for()
    page.get_by_role("button", name="Pause").click()
    page.get_by_text("is paused").first.wait_for()
    _check(page, "job-paused")
    page.get_by_role("link", name="Remove…").click()
    _check(page, "job-remove")
    page.get_by_role("button", name="Remove the job").click()
    page.get_by_text("and its run history are removed").wait_for()

    page.goto(f"{base}/staff/facilities/{facility.id}/sharepoint")
    page.get_by_label("SharePoint site id").fill("not a site")
    page.get_by_label("List id or name").fill("Bookings")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#site_id").get_attribute("aria-invalid") == "true"
    _check(page, "facility-sharepoint-error")
