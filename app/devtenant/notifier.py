"""Change notifications as Graph delivers them (docs/graph-notifications.md).

A change in the tenant (state.on_change) becomes one item per matching subscription, queued with
its due time; a delivery thread posts due items batched per notification URL as
`{"value": [...]}` (items of several subscriptions in one post, as Graph does). A post answered
with anything but 2xx is retried a few times, then dropped, and an Outlook subscription with a
lifecycle URL is told `missed`. Faults (settings): a share of posts dropped, every post delayed,
every item sent twice.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from app.devtenant.state import TenantState
from app.devtenant.timezones import iso_utc

DELIVERY_TIMEOUT = 3.0  # seconds Graph waits for a notification answer
DELIVERY_ATTEMPTS = 3
RETRY_SECONDS = 0.2
BATCH_WINDOW = 0.05  # while items are pending, the thread looks every 50 ms: those due go in one post
ODATA_TYPES = {"events": "#Microsoft.Graph.Event", "messages": "#Microsoft.Graph.Message"}
# Longest subscription per resource, minutes (docs/graph-notifications.md; contract §12).
MAX_MINUTES = {"outlook": 10_080, "directory": 41_760}
MIN_MINUTES = 45
LIFECYCLE_EVENTS = ("reauthorizationRequired", "subscriptionRemoved", "missed")
MAILBOX_RESOURCE = re.compile(
    r"^users/(?P<owner>[^/]+)/(?:"
    r"(?P<events>events|calendar/events|calendars/[^/]+/events)"
    r"|(?P<inbox>mailfolders\('inbox'\)/messages|mailfolders/inbox/messages)"
    r")$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Watched:
    """What a subscription's resource watches: kind and (for mailboxes) the mailbox id."""

    kind: str
    owner_id: str | None
    max_minutes: int


class SubscriptionTargetError(Exception):
    pass


def watched(state: TenantState, resource: str) -> Watched:
    path = resource.strip("/")
    if path.lower() == "users":
        return Watched("users", None, MAX_MINUTES["directory"])
    match = MAILBOX_RESOURCE.match(path)
    if not match:
        raise SubscriptionTargetError(f"The resource '{resource}' is not supported for subscriptions here.")
    mailbox = state.find_mailbox(match.group("owner"))
    if mailbox is None:
        raise SubscriptionTargetError(f"The requested user '{match.group('owner')}' is invalid.")
    return Watched("events" if match.group("events") else "messages", mailbox.id, MAX_MINUTES["outlook"])


def validate_url(url: str, state: TenantState) -> str | None:
    """Graph's handshake: POST ?validationToken=..., expect 200 text/plain with the decoded token."""
    if state.settings.notification_https_only and not url.lower().startswith("https://"):
        return "Subscription validation request failed. NotificationUrl must be an https URL."
    token = f"Validation: Testing client application reachability for subscription Request-Id: {uuid.uuid4()}"
    separator = "&" if "?" in url else "?"
    try:
        answer = requests.post(
            f"{url}{separator}validationToken={quote(token)}",
            headers={"Content-Type": "text/plain; charset=utf-8"},
            timeout=state.settings.notification_validation_timeout,
        )
    except requests.RequestException as error:
        return f"Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request. ({type(error).__name__})"
    content_type = answer.headers.get("Content-Type", "")
    if answer.status_code != 200 or not content_type.startswith("text/plain") or answer.text != token:
        return "Subscription validation request failed. Response must exactly match validationToken query parameter."
    return None


class Notifier:
    """Turns tenant changes into queued items and delivers them from a daemon thread."""

    def __init__(self, state: TenantState) -> None:
        self.state = state
        self.wake = threading.Event()
        self.http = requests.Session()
        self.http.trust_env = False
        state.on_change = self.changed
        threading.Thread(target=self._run, name="devtenant-notifier", daemon=True).start()

    # --- producing (called holding the state lock) ---------------------------------------------

    def changed(self, kind: str, owner_id: str | None, item_id: str, change: str) -> None:
        now = time.time()
        for subscription in list(self.state.subscriptions.values()):
            target: Watched = subscription["_watched"]
            if target.kind != kind or target.owner_id != owner_id:
                continue
            if change not in subscription["changeType"].split(","):
                continue
            if subscription["_expires"] <= now:
                continue
            self.enqueue(subscription, self._item(subscription, kind, owner_id, item_id, change))

    def lifecycle(self, subscription: dict[str, Any], event: str) -> None:
        item = self._base_item(subscription)
        item["lifecycleEvent"] = event
        self.enqueue(subscription, item, lifecycle=True)
        if event == "subscriptionRemoved":
            self.state.subscriptions.pop(subscription["id"], None)

    def enqueue(self, subscription: dict[str, Any], item: dict[str, Any], lifecycle: bool = False) -> None:
        settings = self.state.settings
        url = subscription["lifecycleNotificationUrl"] if lifecycle else subscription["notificationUrl"]
        if not url:
            return
        due = time.time() + settings.notification_delay_seconds
        copies = 2 if settings.notification_duplicate else 1
        for _ in range(copies):
            self.state.pending_notifications.append((due, {"url": url, "item": item, "attempts": 0}))
        self.wake.set()

    def _base_item(self, subscription: dict[str, Any]) -> dict[str, Any]:
        return {
            "subscriptionId": subscription["id"],
            "subscriptionExpirationDateTime": subscription["expirationDateTime"],
            "tenantId": self.state.tenant_id,
            "clientState": subscription.get("clientState"),
        }

    def _item(
        self, subscription: dict[str, Any], kind: str, owner_id: str | None, item_id: str, change: str
    ) -> dict[str, Any]:
        if kind == "users":
            resource = f"Users/{item_id}"
            data = {"@odata.type": "#Microsoft.Graph.User", "@odata.id": resource, "id": item_id,
                    "organizationId": self.state.tenant_id}
        else:
            resource = f"Users/{owner_id}/{kind.capitalize()}/{item_id}"
            data = {"@odata.type": ODATA_TYPES[kind], "@odata.id": resource, "id": item_id}
            etag = self._etag(kind, owner_id, item_id)
            if etag:
                data["@odata.etag"] = etag
        return {
            "id": uuid.uuid4().hex,
            **self._base_item(subscription),
            "changeType": change,
            "resource": resource,
            "resourceData": data,
        }

    def _etag(self, kind: str, owner_id: str | None, item_id: str) -> str | None:
        mailbox = self.state.mailboxes.get(owner_id or "")
        if kind != "events" or mailbox is None or item_id not in mailbox.events:
            return None
        return mailbox.events[item_id].get("@odata.etag")

    # --- delivering (the thread; the lock is never held while posting) -------------------------

    def _run(self) -> None:
        while True:
            self.wake.wait(timeout=BATCH_WINDOW if self.state.pending_notifications else None)
            self.wake.clear()
            try:
                self.deliver_due()
            except Exception:  # the thread must outlive one bad post  # noqa: BLE001
                time.sleep(RETRY_SECONDS)

    def deliver_due(self) -> None:
        with self.state.lock:
            now = time.time()
            self._expire(now)
            due = [entry for when, entry in self.state.pending_notifications if when <= now]
            self.state.pending_notifications = [
                (when, entry) for when, entry in self.state.pending_notifications if when > now
            ]
            drop_share = self.state.settings.notification_drop_share
        posts: dict[str, list[dict[str, Any]]] = {}
        for entry in due:
            posts.setdefault(entry["url"], []).append(entry)
        for url, entries in posts.items():
            if drop_share and random.random() < drop_share:
                self._log(url, entries, "dropped")
                continue
            self._post(url, entries)

    def _post(self, url: str, entries: list[dict[str, Any]]) -> None:
        try:
            answer = self.http.post(url, json={"value": [e["item"] for e in entries]}, timeout=DELIVERY_TIMEOUT)
            status: int | str = answer.status_code
        except requests.RequestException as error:
            status = type(error).__name__
        self._log(url, entries, status)
        if isinstance(status, int) and 200 <= status < 300:
            return
        with self.state.lock:
            for entry in entries:
                entry["attempts"] += 1
                if entry["attempts"] < DELIVERY_ATTEMPTS:
                    self.state.pending_notifications.append((time.time() + RETRY_SECONDS, entry))
                else:
                    self._gave_up(entry["item"])
        self.wake.set()

    def _gave_up(self, item: dict[str, Any]) -> None:
        subscription = self.state.subscriptions.get(item["subscriptionId"])
        if subscription and "lifecycleEvent" not in item and subscription["_watched"].kind != "users":
            self.lifecycle(subscription, "missed")

    def _expire(self, now: float) -> None:
        for subscription_id in [s["id"] for s in self.state.subscriptions.values() if s["_expires"] <= now]:
            del self.state.subscriptions[subscription_id]

    def _log(self, url: str, entries: list[dict[str, Any]], status: int | str) -> None:
        with self.state.lock:
            self.state.notification_log.append(
                {
                    "url": url,
                    "status": status,
                    "at": iso_utc(dt.datetime.now(dt.timezone.utc)),
                    "value": [e["item"] for e in entries],
                }
            )
