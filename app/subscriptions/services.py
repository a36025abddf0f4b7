"""Keeping Graph subscriptions and turning notifications into work (the only place that changes state).

Which subscriptions: every room mailbox of a space, every Outlook import source, the sender's
inbox (bounces) and the directory (users). They exist only when GRAPH_NOTIFICATION_URL names a
public HTTPS endpoint Graph can reach; without one MyGov runs on polling, as before.

A notification post is handled without calling Graph: each item's clientState is checked on its
own (a forged or unknown item is dropped and logged, never with the secret), and the rest become
RQ jobs that read just that resource. Jobs are keyed by subscription and resource, so a duplicate
delivered while one is queued adds nothing, and the work reads the current state, so order of
delivery does not matter.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.calendars.models import OutlookImportSource
from app.extensions import db
from app.facilities.models import FacilitySpace
from app.graph import GraphError
from app.graph import subscriptions as graph_subscriptions
from app.jobs.polling import register_live_check
from app.jobs.queue import get_queue
from app.microsoft import graph_client
from app.sqltypes import utcnow
from app.subscriptions.models import GraphSubscription

log = logging.getLogger(__name__)
RENEW_WHEN_LEFT = 0.5  # renew once less than half the lifetime is left
QUEUE = "sync"


@dataclass(frozen=True)
class Wanted:
    purpose: str
    target: str
    resource: str
    change_type: str
    lifetime: str  # "outlook" | "directory"


@dataclass
class Accepted:
    queued: int = 0
    dropped: int = 0
    lifecycle: int = 0


def notification_url() -> str | None:
    return current_app.config.get("GRAPH_NOTIFICATION_URL") or None


def mode() -> str:
    """What keeps MyGov up to date with Microsoft 365: "notifications" or "polling"."""
    return "notifications" if notification_url() else "polling"


def client_state(subscription: GraphSubscription) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"graph-subscription:{subscription.state_nonce}".encode(), hashlib.sha256).hexdigest()


def wanted_subscriptions() -> list[Wanted]:
    everything = "created,updated,deleted"
    rooms = db.session.scalars(select(FacilitySpace.exchange_resource_mailbox).where(
        FacilitySpace.exchange_resource_mailbox.is_not(None)).distinct())
    wanted = [Wanted("room_events", m.lower(), f"/users/{m}/events", everything, "outlook") for m in rooms]
    for source in db.session.scalars(select(OutlookImportSource)):
        resource = (f"/users/{source.mailbox}/calendars/{source.outlook_calendar_id}/events"
                    if source.outlook_calendar_id else f"/users/{source.mailbox}/events")
        wanted.append(Wanted("outlook_calendar", resource.lower(), resource, everything, "outlook"))
    sender = current_app.config["MAIL_SENDER"]
    wanted.append(Wanted("sender_inbox", sender.lower(), f"/users/{sender}/mailFolders('inbox')/messages",
                         "created", "outlook"))
    wanted.append(Wanted("users", "", "/users", "updated,deleted", "directory"))
    return list({(w.purpose, w.target): w for w in wanted}.values())


def subscription_live(purpose: str, target: str | None = None) -> bool:
    """Notifications on, and an active unexpired subscription on this target (target None: on every
    target of the purpose MyGov wants). Polling of a live resource slows down (app/jobs/polling)."""
    if notification_url() is None:
        return False
    live = set(db.session.scalars(select(GraphSubscription.target).where(
        GraphSubscription.purpose == purpose, GraphSubscription.status == "active",
        GraphSubscription.expires_at > utcnow())))
    if target is not None:
        return target.lower() in live
    return {w.target for w in wanted_subscriptions() if w.purpose == purpose} <= live


register_live_check(subscription_live)


def ensure_subscriptions() -> dict[str, int]:
    """Create what is missing, renew what is due, delete what is no longer wanted."""
    counts = {"created": 0, "renewed": 0, "removed": 0, "failed": 0}
    if notification_url() is None:
        return counts
    wanted = {(w.purpose, w.target): w for w in wanted_subscriptions()}
    kept = {(s.purpose, s.target): s for s in db.session.scalars(select(GraphSubscription))}
    for key, subscription in kept.items():
        if key not in wanted:
            _delete(subscription)
            counts["removed"] += 1
    for key, want in wanted.items():
        subscription = kept.get(key)
        if subscription is None or subscription.status in ("removed", "failed") or _expired(subscription):
            counts["created" if _create(want, subscription) else "failed"] += 1
        elif _due(subscription, want):
            counts["renewed" if _renew(subscription, want) else "failed"] += 1
    db.session.commit()
    return counts


def _lifetime(want: Wanted) -> timedelta:
    return timedelta(minutes=graph_subscriptions.LIFETIME_MINUTES[want.lifetime])


def _expired(subscription: GraphSubscription) -> bool:
    return subscription.expires_at is None or subscription.expires_at <= utcnow()


def _due(subscription: GraphSubscription, want: Wanted) -> bool:
    assert subscription.expires_at is not None
    return subscription.expires_at - utcnow() < _lifetime(want) * RENEW_WHEN_LEFT


def _create(want: Wanted, subscription: GraphSubscription | None) -> bool:
    if subscription is None:
        subscription = GraphSubscription(purpose=want.purpose, target=want.target)
        db.session.add(subscription)
    subscription.resource, subscription.state_nonce = want.resource, secrets.token_hex(16)
    subscription.graph_id, subscription.status = None, "pending"
    db.session.flush()
    try:
        created = graph_subscriptions.create_subscription(
            graph_client(), want.resource, want.change_type, notification_url() or "",
            client_state(subscription), utcnow() + _lifetime(want),
        )
    except GraphError as error:
        subscription.status, subscription.last_error = "failed", str(error)[:2000]
        log.warning("subscription to %s failed: %s", want.resource, error)
        return False
    subscription.graph_id, subscription.status, subscription.last_error = created["id"], "active", None
    subscription.expires_at = _parse(created["expirationDateTime"])
    return True


def _renew(subscription: GraphSubscription, want: Wanted) -> bool:
    try:
        renewed = graph_subscriptions.renew_subscription(graph_client(), subscription.graph_id or "",
                                                         utcnow() + _lifetime(want))
    except GraphError as error:
        subscription.last_error = str(error)[:2000]
        return _create(want, subscription)  # gone at Graph (removed, expired): subscribe again
    subscription.expires_at, subscription.last_error = _parse(renewed["expirationDateTime"]), None
    return True


def _delete(subscription: GraphSubscription) -> None:
    if subscription.graph_id:
        try:
            graph_subscriptions.delete_subscription(graph_client(), subscription.graph_id)
        except GraphError as error:
            log.warning("could not delete subscription to %s: %s", subscription.resource, error)
    db.session.delete(subscription)


def _parse(value: str) -> datetime:
    text = value.replace("Z", "+00:00")
    if "." in text:
        head, rest = text.split(".", 1)
        text = f"{head}.{rest[:6]}+00:00" if "+" in rest else f"{head}.{rest[:6]}"
    return datetime.fromisoformat(text)


# --- receiving -------------------------------------------------------------------------------------

def accept_notifications(payload: Any) -> Accepted:
    """Check every item of one post on its own; queue the work of the genuine ones."""
    accepted = Accepted()
    items = payload.get("value") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        log.warning("change notification post without a value list dropped")
        return accepted
    by_graph_id = {s.graph_id: s for s in db.session.scalars(select(GraphSubscription).where(
        GraphSubscription.graph_id.in_([str(i.get("subscriptionId")) for i in items if isinstance(i, dict)])))}
    for item in items:
        subscription = by_graph_id.get(str(item.get("subscriptionId"))) if isinstance(item, dict) else None
        if subscription is None or not _genuine(subscription, item):
            accepted.dropped += 1
            log.warning("change notification dropped: unknown subscription or wrong clientState "
                        "(subscription %s, resource %s)", _safe(item, "subscriptionId"), _safe(item, "resource"))
            continue
        subscription.last_notification_at = utcnow()
        subscription.notifications += 1
        if item.get("lifecycleEvent"):
            accepted.lifecycle += 1
            _enqueue("app.subscriptions.tasks.handle_lifecycle", subscription.id, str(item["lifecycleEvent"]))
        else:
            accepted.queued += 1
            _enqueue("app.subscriptions.tasks.handle_change", subscription.id, str(item.get("resource") or ""))
    db.session.commit()
    return accepted


def _genuine(subscription: GraphSubscription, item: dict[str, Any]) -> bool:
    given = item.get("clientState")
    return isinstance(given, str) and hmac.compare_digest(given, client_state(subscription))


def _safe(item: Any, name: str) -> str:
    value = item.get(name) if isinstance(item, dict) else None
    return str(value)[:200] if value is not None else "none"


def _enqueue(task: str, subscription_id: int, detail: str) -> None:
    job_id = "notify-" + hashlib.sha256(f"{task}:{subscription_id}:{detail}".encode()).hexdigest()[:32]
    queue = get_queue(QUEUE)
    existing = queue.fetch_job(job_id)
    if existing is not None and existing.get_status() in ("queued", "deferred", "scheduled"):
        return  # the same read is already waiting: a duplicate notification adds nothing
    queue.enqueue(task, subscription_id, detail, job_id=job_id, result_ttl=0, failure_ttl=3600)
