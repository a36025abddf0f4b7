"""Every page says whose website it is: the city's name in the title, the banner and the footer."""
from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from flask import render_template_string
from werkzeug.exceptions import HTTPException

from app.access.registry import ROLES
from app.demo.services import seed_demo
from tests.conftest import make_test_app
from tests.factories import staff_client

SKIP = ("/static/", "/auth/", "/healthz", "/metrics")
PAGES_PER_ROUTE = 2


def _links(html: str) -> list[str]:
    return [href for href in re.findall(r'href="([^"#]+)', html) if href.startswith("/")]


def _section(html: str, tag: str) -> str:
    found = re.search(rf"<{tag}\b.*?</{tag}>", html, re.S)
    return found.group(0) if found else ""


def test_every_public_and_staff_page_names_the_city_in_title_banner_and_footer(app):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    city = app.config["CITY_NAME"]
    client, _ = staff_client(app, *(r.qualified_name for r in ROLES))
    adapter = app.url_map.bind("localhost")
    seen_per_route: Counter[str] = Counter()
    queue, visited, problems = deque(["/", "/staff/"]), set(), []
    while queue:
        path = queue.popleft()
        if path in visited or path.startswith(SKIP):
            continue
        visited.add(path)
        try:
            endpoint, _ = adapter.match(urlsplit(path).path)
        except HTTPException:
            continue
        if seen_per_route[endpoint] >= PAGES_PER_ROUTE:
            continue
        response = client.get(path)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        seen_per_route[endpoint] += 1
        html = response.get_data(as_text=True)
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        if not title or not title.group(1).strip().endswith(f"| {city}"):
            problems.append(f"{path}: title {title.group(1) if title else None!r}")
        banner = _section(html, "section") if "usa-banner" in html else _section(html, "header")
        if city not in banner:
            problems.append(f"{path}: banner without the city's name")
        if city not in _section(html, "footer"):
            problems.append(f"{path}: footer without the city's name")
        queue.extend(_links(html))
    assert len(seen_per_route) > 30, sorted(seen_per_route)
    assert any(e.startswith("reservations.") for e in seen_per_route)
    assert problems == [], "\n".join(problems)


def test_a_view_may_not_hide_flasks_config_from_templates(database_url):
    app = make_test_app(database_url)

    @app.get("/_test/hidden")
    def hidden() -> str:  # registered only for this test
        return render_template_string("{{ config.CITY_NAME }}", config={"open_time": "9:00"})

    with pytest.raises(RuntimeError, match="hides Flask's own"):
        app.test_client().get("/_test/hidden")
