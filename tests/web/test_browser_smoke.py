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


FOCUS_STYLE = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return {
        tag: element.tagName.toLowerCase(), text: (element.textContent || element.value || "").trim().slice(0, 40),
        outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
        boxShadow: style.boxShadow,
    };
}"""


def _focus_indicators(page, stops: int) -> list[dict]:
    """The focus style of up to `stops` Tab stops, ending early where focus leaves the page."""
    seen = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STYLE)
        if stop["tag"] == "body":
            break
        seen.append(stop)
    return seen


def _invisible(indicators: list[dict]) -> list[dict]:
    """Stops whose focus shows neither an outline of at least 2px nor a box-shadow."""
    return [
        stop for stop in indicators
        if not (stop["outlineStyle"] != "none" and stop["outlineWidth"] >= 2) and stop["boxShadow"] == "none"
    ]


def test_keyboard_focus_is_visible_on_every_public_tab_stop(app, live_server, page):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    page.goto(live_server.url + "/")
    indicators = _focus_indicators(page, 12)
    assert len(indicators) >= 3 and {stop["tag"] for stop in indicators} & {"a", "button"}
    assert _invisible(indicators) == []


def test_keyboard_focus_is_visible_on_the_staff_pages(app, live_server, page):
    sign_in_browser(app, page, live_server.url, make_employee("Pat Staff"))
    page.goto(live_server.url + "/staff/")
    indicators = _focus_indicators(page, 12)
    assert len(indicators) >= 3 and {stop["tag"] for stop in indicators} & {"a", "button"}
    assert _invisible(indicators) == []


def test_the_focus_check_sees_a_page_that_hides_focus(live_server, page):
    # The check above must be able to fail: a stylesheet that removes the outline is caught.
    hide_focus = "*:focus, *:focus-visible { outline: none !important; box-shadow: none !important; }"

    def with_focus_hidden(route) -> None:
        original = route.fetch()
        route.fulfill(response=original, body=original.text() + hide_focus)

    page.route("**/static/css/mygov.css", with_focus_hidden)  # same origin: the CSP still holds
    page.goto(live_server.url + "/")
    assert _invisible(_focus_indicators(page, 3)) != []
