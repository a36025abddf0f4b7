"""Public and staff pages render, with the security headers and CSRF protection every page needs."""
from __future__ import annotations

from app.demo.services import seed_demo
from tests.conftest import make_test_app
from tests.factories import csrf_headers, staff_client


def test_public_home_identifies_the_city_and_lists_reservable_rooms(app, client):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "An official website of the City of Auburn" in html
    assert "Program Room" in html and "Council Chambers" not in html  # not citizen-reservable
    assert "Library Events" in html
    assert html.index("Skip to main content") < html.index("<header")


def test_every_response_carries_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert client.get("/no-such-page").headers["Content-Security-Policy"] == csp


def test_pages_carry_no_inline_script_or_style(app, client):
    staff, _ = staff_client(app)
    for path in ("/", "/accessibility", "/staff/", "/no-such-page"):
        html = staff.get(path).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html, path
        assert " on" + "click=" not in html


def test_staff_home_shows_counts_and_health(app):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    client, _ = staff_client(app)
    html = client.get("/staff/").get_data(as_text=True)
    assert "Staff overview" in html
    assert "Database" in html


def test_not_found_page_is_friendly(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_unsafe_request_without_csrf_token_is_refused(database_url):
    app = make_test_app(database_url)

    @app.post("/_test/echo")
    def echo() -> str:  # registered only for this test
        return "accepted"

    client = app.test_client()
    refused = client.post("/_test/echo", data={"x": "1"})
    assert refused.status_code == 400
    assert "Your form expired" in refused.get_data(as_text=True)

    with app.app_context():
        staff, _ = staff_client(app)
    accepted = staff.post("/_test/echo", headers={**csrf_headers(staff), "HX-Request": "true"})
    assert accepted.status_code == 200


def test_public_pages_without_a_form_set_no_cookie_and_carry_no_token(app, client):
    for path in ("/", "/calendars/", "/reservations/", "/directory/", "/accessibility"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers and "X-CSRFToken" not in response.get_data(as_text=True), path


def test_the_home_page_lists_what_is_on_and_links_every_calendar_and_room(app, client):
    import re

    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    html = client.get("/").get_data(as_text=True)
    on = html.split('id="whats-on-heading"')[1].split("</section>")[0]
    assert "Toddler Story Time" in on and 'href="/calendars/library/events/demo-storytime"' in on
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\d\">", on) and 'href="/calendars/all/"' in on
    for slug, name in (("library", "Library Events"), ("city-meetings", "City Meetings"), ("parks", "Parks and Recreation")):
        assert f'<a class="usa-link" href="/calendars/{slug}/">{name}</a>' in html
    assert '<a class="usa-link" href="/reservations/library/program-room/">Program Room</a>' in html
