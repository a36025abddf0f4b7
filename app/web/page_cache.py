"""Whole public pages kept in Redis while what they show is unchanged.

A page is stored under its URL, its htmx variant and a version that its view names (for a
calendar page, the calendars' change generation and today's date), so a change shows at once and
nothing stale is served. What differs per visitor is left out: the CSRF token is stored as a
placeholder and filled in for each request, and a visitor with flash messages waiting gets a
freshly rendered page. Visitors who miss together wait for one rendering (up to a second) rather
than each rendering the page. Redis down means rendering every time, never an error.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from flask import current_app, g, make_response, request, session
from flask_wtf.csrf import generate_csrf
from redis.exceptions import RedisError

from app.jobs.queue import get_redis

log = logging.getLogger(__name__)
TOKEN_PLACEHOLDER = "\x00mygov-csrf-token\x00"
RENDER_CLAIM_MS = 2000  # a rendering takes milliseconds; a claim of a request that died lapses
RENDER_WAIT_SECONDS = 1.0


def cached_page(version: Callable[..., str], params: tuple[str, ...] = ()) -> Callable:
    """Serve the view's 200 HTML from the cache while `version(**view_args)` is unchanged.

    `params` are the query parameters the view reads; only they name the entry, so a query string
    made up to miss the cache (`?x=<random>`) gets the stored page and stores nothing new."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            ttl = int(current_app.config["PUBLIC_PAGE_CACHE_SECONDS"])
            if ttl <= 0 or request.method != "GET" or session.get("_flashes"):
                return view(*args, **kwargs)
            try:
                key = _key(version(*args, **kwargs), params)
                stored = get_redis().get(key)
                rendering = stored is None and _claim(key)
                if stored is None and not rendering:
                    stored = _rendered_by_another(key)
            except RedisError:
                return view(*args, **kwargs)
            if stored is not None:
                response = make_response(_with_token(stored.decode()))
                response.vary.add("HX-Request")
                return response
            try:
                response = make_response(view(*args, **kwargs))
                if response.status_code == 200 and response.mimetype == "text/html":
                    _store(key, response.get_data(as_text=True), ttl)
            finally:
                if rendering:
                    _release(key)
            return response

        return wrapper

    return decorate


def _claim(key: str) -> bool:
    """Whether this request renders the page: after a booking, the visitors of a busy room's page
    all miss at once, and one rendering serves them all instead of each rendering it (a pile-up
    that stalled every request queued behind them)."""
    return bool(get_redis().set(f"{key}:rendering", "1", nx=True, px=RENDER_CLAIM_MS))


def _rendered_by_another(key: str) -> bytes | None:
    """The page the claiming request stores; None once its claim is gone without one (it failed, or
    the page was not one to keep): this request renders it then."""
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.005)
        with get_redis().pipeline(transaction=False) as pipe:
            stored, claimed = pipe.get(key).exists(f"{key}:rendering").execute()
        if stored is not None or not claimed:
            return stored
    return None


def _release(key: str) -> None:
    try:
        get_redis().delete(f"{key}:rendering")
    except RedisError:
        pass  # it lapses after RENDER_CLAIM_MS


def _with_token(html: str) -> str:
    """This visitor's CSRF token where the page has a form; a page without one sets no session cookie."""
    return html.replace(TOKEN_PLACEHOLDER, generate_csrf()) if TOKEN_PLACEHOLDER in html else html


def limit_page_lifetime(seconds: float) -> None:
    """Keep the page being rendered no longer than this: it shows something that is that fresh only."""
    g.page_cache_lifetime = min(seconds, g.get("page_cache_lifetime", seconds))


def _key(version: str, params: tuple[str, ...]) -> str:
    variant = "htmx" if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else "page"
    query = urlencode([(name, value) for name in params for value in request.args.getlist(name)])
    digest = hashlib.sha256(f"{request.path}?{query}|{variant}|{version}".encode()).hexdigest()
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
