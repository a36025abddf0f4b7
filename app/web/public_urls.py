"""Absolute addresses for citizens (mail, feeds, subscribe links): always PUBLIC_BASE_URL's site.

A link built from the request's Host could name any site a visitor typed, and a cached page or
feed would hand it to everyone after them.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def public_base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def public_url(endpoint: str, **values: Any) -> str:
    """Also in a worker (the reminder job), where there is no request to build from."""
    if has_request_context():
        return public_base_url() + url_for(endpoint, **values)
    return public_base_url() + current_app.url_map.bind("").build(endpoint, values)
