"""A stand-in for a Teams Workflows "When a Teams webhook request is received" URL (contract §13.1).

Workflows accept only Adaptive Card messages; anything else is refused. Posts are kept for tests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, request

from app.devtenant.context import tenant
from app.devtenant.timezones import iso_utc

blueprint = Blueprint("webhooks", __name__)
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def _is_adaptive_card_message(payload: Any) -> bool:
    if not isinstance(payload, dict) or payload.get("type") != "message":
        return False
    attachments = payload.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return False
    return all(
        isinstance(a, dict)
        and a.get("contentType") == ADAPTIVE_CARD
        and isinstance(a.get("content"), dict)
        and a["content"].get("type") == "AdaptiveCard"
        for a in attachments
    )


@blueprint.post("/webhooks/teams/<name>")
def teams_workflow(name: str) -> tuple[Any, int]:
    payload = request.get_json(silent=True)
    if not _is_adaptive_card_message(payload):
        return {
            "error": {
                "code": "InvalidRequestContent",
                "message": "The request content is not a message with Adaptive Card attachments.",
            }
        }, 400
    tenant().state.teams_posts.append(
        {"webhook": name, "receivedDateTime": iso_utc(dt.datetime.now(dt.timezone.utc)), "payload": payload}
    )
    return "", 202
