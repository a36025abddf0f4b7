"""`create_devtenant_app()`: the dev tenant as a Flask app of its own (never part of MyGov's app)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from flask import Flask

from app.devtenant.context import DevTenant
from app.devtenant.jwt import SigningKey
from app.devtenant.notifier import Notifier
from app.devtenant.pipeline import register_pipeline
from app.devtenant.seed import DEFAULT_SEED, load_seed
from app.devtenant.state import TenantState

# Graph path segments are case-insensitive; route them under one spelling.
CANONICAL_SEGMENTS = {
    name.lower(): name
    for name in (
        "users",
        "groups",
        "places",
        "sites",
        "lists",
        "items",
        "members",
        "memberOf",
        "transitiveMemberOf",
        "getMemberObjects",
        "checkMemberGroups",
        "events",
        "calendar",
        "calendars",
        "calendarView",
        "calendarPermissions",
        "getSchedule",
        "cancel",
        "sendMail",
        "mailFolders",
        "messages",
        "photo",
        "delta",
        "subscriptions",
        "reauthorize",
    )
}
KEY_SEGMENT = re.compile(r"^(\w+)\('([^']*)'\)$")  # mailFolders('inbox') -> mailFolders/inbox
# Functions without parameters may be called with empty parentheses: `/users/delta()` as SDKs do.
EMPTY_CALL = re.compile(r"^(\w+)\(\)$")
NAMESPACE_ALIAS = "graph."  # the CSDL's alias: `graph.room` is `microsoft.graph.room`
NAMESPACE = "microsoft.graph."


class DevTenantRefused(RuntimeError):
    """The dev tenant never runs in production."""


def refuse_production() -> None:
    if os.environ.get("MYGOV_ENV") == "production":
        raise DevTenantRefused(
            "The dev tenant is a stand-in for development and tests; it refuses to run with MYGOV_ENV=production."
        )


class DevTenantFlask(Flask):
    """Each handler runs holding the state lock, so handlers work on plain dicts safely.

    Injected latency and the per-mailbox concurrency check run before this, outside the lock.
    """

    def dispatch_request(self) -> Any:  # type: ignore[override]
        with self.extensions["devtenant"].state.lock:
            return super().dispatch_request()


class _NormalizeGraphPaths:
    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(("/v1.0/", "/beta/")):
            environ["PATH_INFO"] = normalize_graph_path(path)
        return self.wsgi_app(environ, start_response)


def normalize_graph_path(path: str) -> str:
    """One spelling per Graph path: canonical segment case, keys as segments, `delta()` as `delta`,
    and the CSDL's `graph.` alias as `microsoft.graph.` (`/places/graph.room`)."""
    parts: list[str] = []
    for segment in path.split("/"):
        keyed = KEY_SEGMENT.match(segment)
        called = EMPTY_CALL.match(segment)
        if keyed:
            parts += [CANONICAL_SEGMENTS.get(keyed.group(1).lower(), keyed.group(1)), keyed.group(2)]
        elif called:
            parts.append(CANONICAL_SEGMENTS.get(called.group(1).lower(), called.group(1)))
        elif segment.lower().startswith(NAMESPACE_ALIAS):
            parts.append(NAMESPACE + segment[len(NAMESPACE_ALIAS) :])
        else:
            parts.append(CANONICAL_SEGMENTS.get(segment.lower(), segment))
    return "/".join(parts)


def create_devtenant_app(
    seed_path: Path = DEFAULT_SEED, cert_dir: Path | None = None, state: TenantState | None = None
) -> Flask:
    refuse_production()
    from app.devtenant import control_api, identity, webhooks
    from app.devtenant.graph import graph_beta_blueprint, graph_blueprint

    app = DevTenantFlask(__name__, template_folder=str(Path(__file__).with_name("templates")))
    app.json.sort_keys = False  # type: ignore[attr-defined]
    state = state or TenantState()
    load_seed(state, seed_path)
    app.extensions["devtenant"] = DevTenant(
        state=state, signing_key=SigningKey(cert_dir), seed_path=seed_path, notifier=Notifier(state)
    )
    register_pipeline(app)
    app.register_blueprint(graph_blueprint())
    app.register_blueprint(graph_beta_blueprint())
    app.register_blueprint(identity.blueprint)
    app.register_blueprint(control_api.blueprint)
    app.register_blueprint(webhooks.blueprint)
    app.wsgi_app = _NormalizeGraphPaths(app.wsgi_app)  # type: ignore[method-assign]
    return app
