"""Teams: an Adaptive Card to a Workflows webhook (contract §13.1).

App-only Graph cannot post channel messages outside migration, and classic connectors with
MessageCards are retired, so notifications go to a Workflows "Teams webhook request" URL.
"""
from __future__ import annotations

from typing import Any

from app.graph.client import GraphClient
from app.graph.errors import GraphError


def adaptive_card_message(title: str, facts: dict[str, str], link: tuple[str, str] | None = None) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in facts.items()]},
    ]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.2",
        "body": body,
    }
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": link[0], "url": link[1]}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def post_to_workflow(graph: GraphClient, webhook_url: str, message: dict[str, Any]) -> None:
    """POST the card. The URL itself is the credential, so it is neither logged nor stored in rows."""
    response = graph.transport.request("POST", webhook_url, json=message, authenticated=False)
    text = response.body if isinstance(response.body, str) else ""
    if "429" in text:  # legacy connectors report throttling in a 200 body
        raise GraphError(429, "webhookThrottled", text)
