"""`DevTenantControl`: a small Python client for the dev tenant's `/_devtenant/` control API."""

from __future__ import annotations

import base64
from typing import Any

import requests

from app.config import DEV_CLIENT_ID


class DevTenantControl:
    def __init__(self, url: str, ca_path: str) -> None:
        self.url = url.rstrip("/") + "/_devtenant"
        self.session = requests.Session()
        # requests lets REQUESTS_CA_BUNDLE override a Session's `verify`; trust only the dev CA.
        self.session.trust_env = False
        self.session.verify = ca_path

    def _call(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        response = self.session.request(method, self.url + path, json=json, params=params or None, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    # --- state -------------------------------------------------------------------------------

    def reset(self) -> dict[str, Any]:
        """Back to the seed: tenant data, faults, settings, app roles (registered redirect URIs stay)."""
        return self._call("POST", "/reset")

    def set_faults(
        self,
        throttle_share: float = 1.0,
        retry_after: int | None = 1,
        status: int = 429,
        latency_ms: int = 0,
        path_prefix: str | None = None,
        count: int | None = None,
        applied: bool = False,
    ) -> dict[str, Any]:
        """`retry_after=None`: the errors carry no Retry-After header (Graph may leave it out)."""
        return self._call(
            "PUT",
            "/faults",
            {
                "throttle_share": throttle_share,
                "retry_after": retry_after,
                "status": status,
                "latency_ms": latency_ms,
                "path_prefix": path_prefix,
                "count": count,
                "applied": applied,
            },
        )["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def faults(self) -> dict[str, Any] | None:
        return self._call("GET", "/faults")["faults"]

    def expire_delta_tokens(self, mode: str = "syncStateNotFound") -> None:
        """Every delta/skip token issued so far fails: 400 syncStateNotFound, or 410 with mode="gone"."""
        self._call("POST", "/delta/expire", {"mode": mode})

    def set_app_roles(self, roles: list[str] | None, client_id: str = DEV_CLIENT_ID) -> list[str]:
        """The application permissions in new app tokens (None = the defaults)."""
        return self._call("PUT", f"/clients/{client_id}/roles", {"roles": roles})["roles"]

    def app_roles(self, client_id: str = DEV_CLIENT_ID) -> list[str]:
        return self._call("GET", f"/clients/{client_id}/roles")["roles"]

    def register_redirect_uris(self, *uris: str, client_id: str = DEV_CLIENT_ID) -> list[str]:
        return self._call("POST", f"/clients/{client_id}/redirect-uris", {"uris": list(uris)})[
            "redirect_uris"
        ]

    def register_client_certificate(self, certificate_pem: str, client_id: str = DEV_CLIENT_ID) -> list[str]:
        return self._call("POST", f"/clients/{client_id}/certificates", {"certificate_pem": certificate_pem})[
            "thumbprints"
        ]

    def settings(self) -> dict[str, Any]:
        return self._call("GET", "/settings")

    def update_settings(self, **settings: Any) -> dict[str, Any]:
        """delta_page_size (users delta), delta_token_lifetime_days, delta_empty_pages (users and
        calendarView delta), places_propagation_seconds, mailbox_concurrency, transaction_id_dedupe,
        undeliverable_domains, undeliverable_addresses."""
        return self._call("PUT", "/settings", settings)

    def set_places_propagation_delay(self, seconds: float) -> None:
        self.update_settings(places_propagation_seconds=seconds)

    # --- directory ---------------------------------------------------------------------------

    def add_user(
        self,
        user: dict[str, Any],
        with_mailbox: bool = True,
        photo: bytes | None = None,
        photo_content_type: str = "image/jpeg",
    ) -> dict[str, Any]:
        body = {**user, "with_mailbox": with_mailbox}
        if photo is not None:
            body.update(photo_base64=base64.b64encode(photo).decode(), photo_content_type=photo_content_type)
        return self._call("POST", "/users", body)

    def add_users_bulk(self, count: int, prefix: str = "synthetic") -> list[str]:
        return self._call("POST", "/users/bulk", {"count": count, "prefix": prefix})["ids"]

    def user(self, key: str) -> dict[str, Any]:
        return self._call("GET", f"/users/{key}")

    def update_user(self, key: str, **changes: Any) -> dict[str, Any]:
        """E.g. `update_user(oid, accountEnabled=False)`: "disabled in Entra" (shows in users/delta)."""
        return self._call("PATCH", f"/users/{key}", changes)

    def remove_user(self, key: str, permanent: bool = False) -> None:
        self._call("DELETE", f"/users/{key}", permanent="true" if permanent else "false")

    def groups(self) -> list[dict[str, Any]]:
        return self._call("GET", "/groups")["value"]

    def group_members(self, group_id: str) -> list[str]:
        return self._call("GET", f"/groups/{group_id}/members")["value"]

    # --- mailboxes, places and the rest --------------------------------------------------------

    def events(self, mailbox: str) -> list[dict[str, Any]]:
        return self._call("GET", f"/mailboxes/{mailbox}/events")["value"]

    def deleted_events(self, mailbox: str) -> list[dict[str, Any]]:
        return self._call("GET", f"/mailboxes/{mailbox}/events")["deleted"]

    def add_event(self, mailbox: str, event: dict[str, Any]) -> dict[str, Any]:
        """An event as if booked in Outlook a moment ago (same validation as Graph's POST)."""
        return self._call("POST", f"/mailboxes/{mailbox}/events", event)

    def update_event(self, mailbox: str, event_id: str, **changes: Any) -> dict[str, Any]:
        return self._call("PATCH", f"/mailboxes/{mailbox}/events/{event_id}", changes)

    def remove_event(self, mailbox: str, event_id: str) -> None:
        self._call("DELETE", f"/mailboxes/{mailbox}/events/{event_id}")

    def messages(self, mailbox: str, folder: str = "inbox") -> list[dict[str, Any]]:
        return self._call("GET", f"/mailboxes/{mailbox}/messages", folder=folder)["value"]

    def calendar_permissions(self, mailbox: str) -> list[dict[str, Any]]:
        return self._call("GET", f"/mailboxes/{mailbox}/calendar-permissions")["value"]

    def remove_place(self, key: str) -> None:
        self._call("DELETE", f"/places/{key}")

    def places(self) -> list[dict[str, Any]]:
        return self._call("GET", "/places")["value"]

    def outbound_mail(self) -> list[dict[str, Any]]:
        """Every sendMail: sender, message, and which recipients were delivered, bounced or external."""
        return self._call("GET", "/mail/outbound")["value"]

    def list_items(self) -> list[dict[str, Any]]:
        return self._call("GET", "/list-items")["value"]

    def teams_posts(self) -> list[dict[str, Any]]:
        return self._call("GET", "/teams-posts")["value"]

    def counters(self) -> dict[str, Any]:
        """`{"requests": {"GET /v1.0/users": n, ...}, "throttled": n}` (method + route template)."""
        return self._call("GET", "/counters")

    def reset_counters(self) -> None:
        self._call("DELETE", "/counters")

    # --- change notifications ----------------------------------------------------------------

    def subscriptions(self) -> list[dict[str, Any]]:
        return self._call("GET", "/subscriptions")["value"]

    def send_lifecycle(self, subscription_id: str, event: str) -> None:
        """`missed`, `subscriptionRemoved` (the subscription is gone) or `reauthorizationRequired`."""
        self._call("POST", f"/subscriptions/{subscription_id}/lifecycle", {"lifecycleEvent": event})

    def notification_posts(self) -> list[dict[str, Any]]:
        """Each post made to a notification URL: url, status (or "dropped"), at, value (the items)."""
        return self._call("GET", "/notifications")["value"]

    def pending_notifications(self) -> int:
        return self._call("GET", "/notifications")["pending"]
