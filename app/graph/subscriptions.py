"""Change notification subscriptions (contract §12, docs/graph-notifications.md)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from app.graph.client import GraphClient, segment

# Longest lifetime MyGov asks for, minutes: Outlook's is 10,080 in the newer docs and 4,230 in the
# older ones, so 4,230 is valid under both; directory resources allow 41,760 (under 29 days).
LIFETIME_MINUTES = {"outlook": 4_230, "directory": 41_760}


def graph_timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def create_subscription(
    graph: GraphClient, resource: str, change_type: str, notification_url: str, client_state: str,
    expires: datetime,
) -> dict[str, Any]:
    """201 after Graph validated the URL (and the lifecycle URL, the same endpoint here)."""
    return graph.post("/subscriptions", json={
        "changeType": change_type,
        "notificationUrl": notification_url,
        "lifecycleNotificationUrl": notification_url,
        "resource": resource,
        "expirationDateTime": graph_timestamp(expires),
        "clientState": client_state,
    }).body


def renew_subscription(graph: GraphClient, subscription_id: str, expires: datetime) -> dict[str, Any]:
    return graph.patch(f"/subscriptions/{segment(subscription_id)}",
                       json={"expirationDateTime": graph_timestamp(expires)}).body


def reauthorize_subscription(graph: GraphClient, subscription_id: str) -> None:
    graph.post(f"/subscriptions/{segment(subscription_id)}/reauthorize")


def delete_subscription(graph: GraphClient, subscription_id: str) -> bool:
    """False when Graph no longer had it (expired or removed): the wanted state anyway."""
    return graph.delete_if_exists(f"/subscriptions/{segment(subscription_id)}")
