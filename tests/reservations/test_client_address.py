"""Rate limits see the real client behind the configured reverse proxies, and nobody else's word."""
from __future__ import annotations

import pytest
from flask import Flask

from app.reservations.public_views import SUBMIT_RATE_LIMIT
from app.web.proxies import install_trusted_proxies
from tests.reservations.helpers import booking_form, csrf_token, make_room, next_open_day, space_url

PROXY = "10.0.0.2"  # the city's TLS proxy, as the web process sees it
PER_MINUTE = int(SUBMIT_RATE_LIMIT.split("/")[0])


@pytest.fixture
def behind_one_proxy(app: Flask, monkeypatch):
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)  # put back after the test
    app.config.update(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_ADDRESSES=f"{PROXY}/32")
    install_trusted_proxies(app)


def _statuses(client, space, times: int, peer: str, forwarded_for: str | None) -> list[int]:
    """Refused submissions (422: nothing written) as one visitor, through `peer`."""
    token = csrf_token(client, space_url(space))
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = {**booking_form(next_open_day(), attendees="x"), "csrf_token": token}
    return [client.post(space_url(space), data=form, headers=headers,
                        environ_base={"REMOTE_ADDR": peer}).status_code for _ in range(times)]


def _visitor(app: Flask, client):
    return type(client)(app, app.response_class, use_cookies=True)


def test_two_citizens_behind_the_proxy_get_separate_buckets(app, client, behind_one_proxy):
    space = make_room()
    assert _statuses(client, space, PER_MINUTE + 1, PROXY, "198.51.100.1") == [422] * PER_MINUTE + [429]
    assert _statuses(_visitor(app, client), space, 1, PROXY, "198.51.100.2") == [422]
    # The first citizen claiming to be someone else: the proxy appends the address it saw, and only
    # that last entry is believed, so the made-up one in front changes nothing.
    assert _statuses(_visitor(app, client), space, 1, PROXY, "192.0.2.50, 198.51.100.1") == [429]


def test_a_forwarded_header_from_a_peer_that_is_not_the_proxy_changes_nothing(app, client, behind_one_proxy):
    space = make_room()
    direct = "203.0.113.9"
    assert _statuses(client, space, PER_MINUTE + 1, direct, None) == [422] * PER_MINUTE + [429]
    assert _statuses(_visitor(app, client), space, 1, direct, "198.51.100.77") == [429]


def test_without_configured_proxies_the_header_is_ignored(app, client):
    space = make_room()
    assert _statuses(client, space, PER_MINUTE + 1, PROXY, "198.51.100.1") == [422] * PER_MINUTE + [429]
    assert _statuses(_visitor(app, client), space, 1, PROXY, "198.51.100.9") == [429]
