"""Test fixtures for Microsoft 365: the dev tenant over HTTPS, driven through its control API.

`devtenant` (tests/devtenant_plugin.py) starts one server per test session; `tenant` resets it (seed, faults, permissions)
before a test and offers the knobs and inspections tests need. The MyGov test app is configured
to use it, so every Graph call a test causes crosses real HTTPS to the dev tenant.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from app.config import DEV_CLIENT_ID, DEV_CLIENT_SECRET
from app.devtenant import DevTenantServer
from app.graph.client import drop_clients


class Tenant:
    def __init__(self, server: DevTenantServer) -> None:
        self.server = server
        self.http = requests.Session()
        self.http.trust_env = False  # the environment's CA bundle must not replace the dev tenant's
        self.http.verify = server.ca_path
        self.mail_sender = "noreply@auburnal.gov"
        self.teams_webhook_url = f"{server.url}/webhooks/teams/platform-alerts"
        self.site_id, self.list_id = "auburnal.sharepoint.com,facilities", "room-bookings"

    # --- configuration for MyGov -----------------------------------------------------------------
    @property
    def graph_config(self) -> dict[str, str]:
        return {
            "ENTRA_AUTHORITY_HOST": self.server.url, "ENTRA_TENANT_ID": self.server.tenant_id,
            "ENTRA_CLIENT_ID": DEV_CLIENT_ID, "ENTRA_CLIENT_SECRET": DEV_CLIENT_SECRET,
            "GRAPH_BASE_URL": self.server.graph_base_url, "GRAPH_CA_BUNDLE": self.server.ca_path,
        }

    graph_environment = graph_config

    # --- control API -----------------------------------------------------------------------------
    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"{self.server.url}/_devtenant{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        self._call("POST", "/reset")
        self._call("DELETE", "/faults")
        self._call("DELETE", "/counters")
        self.deduplicate_transaction_ids(True)

    def throttle(
        self, share: float, retry_after: int | None = 1, status: int = 429, path_prefix: str | None = None,
        count: int | None = None,
    ) -> None:
        """Answer `share` of the Graph requests with `status`; after `count` rejections, stop.

        `retry_after=None` sends no Retry-After header, as Graph may.
        """
        faults = {"throttle_share": share, "retry_after": retry_after, "status": status}
        if path_prefix:
            faults["path_prefix"] = path_prefix
        if count is not None:
            faults["count"] = count
        self._call("PUT", "/faults", json=faults)

    def time_out_after_applying(self, path_prefix: str, count: int = 1) -> None:
        """The next `count` matching requests take effect, then answer 504 (the gateway gave up)."""
        self._call("PUT", "/faults", json={"throttle_share": 1.0, "status": 504, "retry_after": 0,
                                           "path_prefix": path_prefix, "count": count, "applied": True})

    def deduplicate_transaction_ids(self, on: bool) -> None:
        self._call("PUT", "/settings", json={"transaction_id_dedupe": on})

    def add_latency(self, milliseconds: int) -> None:
        self._call("PUT", "/faults", json={"latency_ms": milliseconds})

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def throttled_count(self) -> int:
        return int(self._call("GET", "/counters")["throttled"])

    def request_counts(self) -> dict[str, int]:
        """Requests the tenant received, `$batch` inner ones included, by "METHOD route"."""
        return self._call("GET", "/counters")["requests"]

    def reset_counters(self) -> None:
        self._call("DELETE", "/counters")

    def update_settings(self, **settings: Any) -> None:
        self._call("PUT", "/settings", json=settings)

    def scope_exchange_access(self, mailboxes: list[str] | None) -> None:
        """RBAC for Applications: the app reaches only these mailboxes (None: every mailbox)."""
        self._call("PUT", "/settings", json={"exchange_app_scope": mailboxes})

    def set_app_roles(self, roles: list[str] | None) -> None:
        self._call("PUT", f"/clients/{DEV_CLIENT_ID}/roles", json={"roles": roles})

    def expire_delta_tokens(self, mode: str = "syncStateNotFound") -> None:
        self._call("POST", "/delta/expire", json={"mode": mode})

    def add_users(self, count: int) -> list[str]:
        return self._call("POST", "/users/bulk", json={"count": count})["ids"]

    def disable_user(self, user_id: str) -> None:
        self._call("PATCH", f"/users/{user_id}", json={"accountEnabled": False})

    def delete_user(self, user_id: str) -> None:
        self._call("DELETE", f"/users/{user_id}")

    def events(self, mailbox: str) -> list[dict[str, Any]]:
        return self._call("GET", f"/mailboxes/{mailbox}/events")["value"]

    def group_members(self, group_id: str) -> set[str]:
        return set(self._call("GET", f"/groups/{group_id}/members")["value"])

    def teams_posts(self) -> list[dict[str, Any]]:
        return self._call("GET", "/teams-posts")["value"]

    # --- the directory as the tenant holds it (read in-process, under its lock) -----------------
    def _users(self) -> list[dict[str, Any]]:
        state = self.server.tenant.state
        with state.lock:
            return [dict(u) for u in state.users.values()]

    def user_count(self) -> int:
        return len(self._users())

    def user_exists(self, user_id: str) -> bool:
        return any(u["id"] == user_id for u in self._users())

    def any_user(self, exclude: int = 0) -> dict[str, Any]:
        people = sorted((u for u in self._users() if u.get("mail") and u.get("accountEnabled")), key=lambda u: u["id"])
        return people[exclude]

    def user_with_photo(self) -> dict[str, Any]:
        state = self.server.tenant.state
        return next(u for u in self._users() if u["id"] in state.photos)

    def user_without_photo(self) -> dict[str, Any]:
        state = self.server.tenant.state
        return next(u for u in self._users() if u["id"] not in state.photos and u.get("mail"))

    def overage_user(self) -> dict[str, Any]:
        state = self.server.tenant.state
        return next(u for u in self._users() if len(state.transitive_groups(u["id"])) > 200)


@pytest.fixture
def tenant(devtenant: DevTenantServer) -> Iterator[Tenant]:
    handle = Tenant(devtenant)
    handle.reset()
    random.seed(1234)
    yield handle
    handle.clear_faults()
    drop_clients()  # cached app tokens may carry permissions a test took away
