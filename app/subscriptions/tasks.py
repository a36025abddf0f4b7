"""What a worker does with a notification: read just the resource that changed, and keep the
subscriptions alive (the renewal job, lifecycle events)."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select

from app.calendars.outlook_watch import check_published_events
from app.extensions import db
from app.facilities.models import FacilitySpace
from app.graph import GraphError
from app.graph import subscriptions as graph_subscriptions
from app.jobs.actions import action
from app.mail.tasks import read_bounce_reports
from app.microsoft import graph_client
from app.people.tasks import apply_directory_changes
from app.reservations.exchange import forget_free_busy
from app.reservations.page_version import space_changed
from app.subscriptions import services
from app.subscriptions.models import GraphSubscription

log = logging.getLogger(__name__)


def handle_change(subscription_id: int, resource: str) -> None:
    """The targeted read behind one notification (or a catch-up after a `missed` one)."""
    subscription = db.session.get(GraphSubscription, subscription_id)
    if subscription is None:
        return
    if subscription.purpose == "room_events":
        forget_free_busy(subscription.target)  # the next page asks Exchange for this room only
        for space_id in db.session.scalars(select(FacilitySpace.id).where(
                func.lower(FacilitySpace.exchange_resource_mailbox) == subscription.target)):
            space_changed(space_id)
    elif subscription.purpose == "sender_inbox":
        read_bounce_reports()  # reads only reports received since the last run
    elif subscription.purpose == "users":
        apply_directory_changes()  # one delta round: only what changed since the stored link
    elif subscription.purpose == "outlook_calendar":
        # Users/{mailbox}/Events/{id}: read that event only; a catch-up ("") checks them all.
        event_id = resource.rstrip("/").rsplit("/", 1)[-1] if "/Events/" in resource else None
        check_published_events([event_id] if event_id else None)  # marks it and emails the publishers


def handle_lifecycle(subscription_id: int, event: str) -> None:
    subscription = db.session.get(GraphSubscription, subscription_id)
    if subscription is None:
        return
    if event == "reauthorizationRequired" and subscription.graph_id:
        try:
            graph_subscriptions.reauthorize_subscription(graph_client(), subscription.graph_id)
            return
        except GraphError as error:
            log.warning("reauthorizing the subscription to %s failed: %s", subscription.resource, error)
    if event in ("subscriptionRemoved", "reauthorizationRequired"):
        subscription.status = "removed"
        db.session.commit()
        services.ensure_subscriptions()  # subscribe again
    handle_change(subscription_id, "")  # notifications may have been lost: catch up with one read


@action("graph.keep_subscriptions", description="Create, renew and remove Graph change notification subscriptions.",
        queue="sync")
def keep_subscriptions(params: dict[str, Any]) -> dict[str, Any]:
    return services.ensure_subscriptions()
