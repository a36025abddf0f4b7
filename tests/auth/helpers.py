"""Driving a sign-in with the Flask test client: MyGov's redirects, the provider's pages over HTTP."""
from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

APP_ORIGIN = "http://localhost"  # what url_for(_external=True) gives under the test client
CALLBACK = f"{APP_ORIGIN}/auth/callback"
SIGNED_OUT = f"{APP_ORIGIN}/auth/signed-out"
FormFiller = Callable[[str], dict[str, str]]

_FORM = re.compile(r'<form[^>]*action="([^"]*)"', re.I)
_HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>', re.I)
_ATTRIBUTE = re.compile(r'(name|value)="([^"]*)"')


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The first form's action and its hidden fields."""
    action = _FORM.search(page)
    assert action, page[:500]
    fields = {}
    for tag in _HIDDEN.findall(page):
        attributes = dict(_ATTRIBUTE.findall(tag))
        fields[html.unescape(attributes.get("name", ""))] = html.unescape(attributes.get("value", ""))
    return html.unescape(action.group(1)), fields


def through_provider(start_url: str, fill: FormFiller, http: requests.Session) -> str:
    """Follow the provider's redirects and fill its forms until it sends the browser back to MyGov."""
    url = start_url
    for _ in range(12):
        response = http.get(url, allow_redirects=False, timeout=30)
        while response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(APP_ORIGIN):
                return url
            response = http.get(url, allow_redirects=False, timeout=30)
        assert response.status_code == 200, response.text[:500]
        action, fields = form_of(response.text)
        answer = http.post(urljoin(url, action), data={**fields, **fill(response.text)}, allow_redirects=False,
                           timeout=30)
        assert answer.is_redirect, answer.text[:500]
        url = urljoin(url, answer.headers["Location"])
        if url.startswith(APP_ORIGIN):
            return url
    raise AssertionError("the provider never sent the browser back")


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in_through(client: FlaskClient, fill: FormFiller, http: requests.Session, next_path: str | None = None,
                    ) -> tuple[TestResponse, str]:
    """GET /auth/login, pass the provider, GET the callback; returns its response and the callback URL."""
    start = client.get("/auth/login" + (f"?next={next_path}" if next_path else ""))
    assert start.status_code == 302, start.get_data(as_text=True)[:500]
    callback_url = through_provider(start.headers["Location"], fill, http)
    return client.get(local(callback_url)), callback_url


def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(payload), signature


def b64url_json(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
