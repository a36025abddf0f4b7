"""Reservation tests: clients whose requests each get their own app context, fresh rate limits."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import limiter


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production.

    The `app` fixture keeps one app context open for the whole test, and requests reuse it, so
    `g` (Flask-Login's cached user, Flask-WTF's cached token) would leak between clients.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture(autouse=True)
def fresh_rate_limits(app: Flask) -> Iterator[None]:
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def without_rate_limit() -> Iterator[None]:
    """For tests where many submissions come from one address on purpose."""
    limiter.enabled = False
    yield
    limiter.enabled = True


@pytest.fixture(autouse=True)
def exchange(devtenant_clean):
    """Free/busy comes from the dev tenant's room calendars over HTTPS, reset for each test."""
    return devtenant_clean
