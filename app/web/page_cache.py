"""Whole public pages kept in Redis while what they show is unchanged.

A page is stored under its URL, its htmx variant and a version that its view names (for a
calendar page, the calendars' change generation and today's date), so a change shows at once and
nothing stale is served. What differs per visitor is left out: the CSRF token is stored as a
placeholder and filled in for each request, and a visitor with flash messages waiting gets a
freshly rendered page. Redis down means rendering every time, never an error.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, make_response, request, session
from flask_wtf.csrf import generate_csrf
from redis.exceptions import RedisError

from app.jobs.queue import get_redis

log = logging.getLogger(__name__)
TOKEN_PLACEHOLDER = "\x00mygov-csrf-token\x00"


def cached_page(version: Callable[..., str], *, seconds: Callable[[], int] | None = None) -> Callable:
    """Serve the view's 200 HTML from the cache while `version(**view_args)` is unchanged."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            ttl = seconds() if seconds else int(current_app.config["PUBLIC_PAGE_CACHE_SECONDS"])
            if ttl <= 0 or request.method != "GET" or session.get("_flashes"):
                return view(*args, **kwargs)
            try:
                key = _key(version(*args, **kwargs))
                stored = get_redis().get(key)
            except RedisError:
                return view(*args, **kwargs)
            if stored is not None:
                response = make_response(stored.decode().replace(TOKEN_PLACEHOLDER, generate_csrf()))
                response.vary.add("HX-Request")
                return response
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200 and response.mimetype == "text/html":
                _store(key, response.get_data(as_text=True), ttl)
            return response

        return wrapper

    return decorate


def limit_page_lifetime(seconds: float) -> None:
    """Keep the page being rendered no longer than this: it shows something that is that fresh only."""
    g.page_cache_lifetime = min(seconds, g.get("page_cache_lifetime", seconds))


def _key(version: str) -> str:
    variant = "htmx" if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else "page"
    digest = hashlib.sha256(f"{request.full_path}|{variant}|{version}".encode()).hexdigest()
    return f"mygov:page:{digest}"


def _store(key: str, html: str, ttl: int) -> None:
    ttl = int(min(ttl, g.get("page_cache_lifetime", ttl)))
    if ttl < 1:
        return
    token = g.get("csrf_token")  # Flask-WTF's signed token for this visitor, if the page rendered one
    if token:
        html = html.replace(token, TOKEN_PLACEHOLDER)
    try:
        get_redis().set(key, html, ex=ttl)
    except RedisError:
        log.warning("could not keep a rendered page in Redis")
