"""The public pages in a real browser: axe-core finds no WCAG 2.1 AA violation; the CSP holds."""
from __future__ import annotations

import pytest

from app.demo.services import seed_demo
from tests.browser_plugin import axe_violations, describe
from tests.factories import make_employee, sign_in_browser

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/accessibility", "/no-such-page"])
def test_public_page_has_no_axe_violations(app, live_server, page, path):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    page.goto(live_server.url + path)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    # Nothing the page loads is blocked by the strict Content-Security-Policy.
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_home_page_reflows_at_320_pixels(live_server, page):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + "/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_staff_home_has_no_axe_violations(app, live_server, page):
    sign_in_browser(app, page, live_server.url, make_employee("Pat Staff"))
    page.goto(live_server.url + "/staff/")
    assert page.locator("h1").inner_text() == "Staff overview"
    violations = axe_violations(page)
    assert violations == [], describe(violations)
