"""Absolute links come from PUBLIC_BASE_URL; a foreign Host is refused and never reaches the page cache."""
from __future__ import annotations

from app.config import load_config
from app.demo.services import seed_demo


def test_a_foreign_host_is_refused_and_the_next_visitor_gets_links_on_the_real_host(app, client):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    assert int(app.config["PUBLIC_PAGE_CACHE_SECONDS"]) > 0  # the page cache is on, as in production
    for path in ("/calendars/library/", "/calendars/library.ics", "/"):
        assert client.get(path, headers={"Host": "evil.example"}).status_code == 400
        assert client.get(path, headers={"X-Forwarded-Host": "evil.example"}).status_code == 200

    base = app.config["PUBLIC_BASE_URL"].split("://", 1)[1]
    html = client.get("/calendars/library/").get_data(as_text=True)
    assert f'href="webcal://{base}/calendars/library.ics"' in html and "evil.example" not in html
    feed = client.get("/calendars/library.ics").get_data(as_text=True)
    assert f"{app.config['PUBLIC_BASE_URL']}/calendars/library/events/" in feed.replace("\r\n ", "")
    assert "evil.example" not in feed


def test_links_name_the_configured_site_even_on_a_trusted_alias(app, client):
    """A developer's localhost is let in, but what it renders still names PUBLIC_BASE_URL."""
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    app.config["PUBLIC_BASE_URL"] = "https://mygov.auburnal.gov"
    html = client.get("/calendars/library/?category=Children", headers={"Host": "localhost"}).get_data(as_text=True)
    assert 'href="webcal://mygov.auburnal.gov/calendars/library.ics?category=Children"' in html
    assert "webcal://localhost" not in html


def test_production_trusts_only_the_public_host():
    config = load_config({"PUBLIC_BASE_URL": "https://mygov.auburnal.gov"})
    assert config["TRUSTED_HOSTS"] == ["mygov.auburnal.gov", "localhost", "127.0.0.1"]  # development
    from tests.data.test_config import REAL_PRODUCTION

    assert load_config(REAL_PRODUCTION)["TRUSTED_HOSTS"] == ["mygov.auburnal.gov"]
