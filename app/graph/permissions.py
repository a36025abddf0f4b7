"""Which application permissions MyGov needs, and which an app token lacks (`flask mygov graph-check`)."""
from __future__ import annotations

import base64
import json
from typing import Any

from app.graph.client import GraphClient

# The contract's table: what each MyGov capability calls, least-privileged where it allows.
REQUIRED_APP_PERMISSIONS: dict[str, str] = {
    "Calendars.ReadWrite": "room and calendar events, free/busy, calendar sharing",
    "Place.ReadWrite.All": "rooms, buildings and floors",
    "Group.ReadWrite.All": "MyGov role groups and their members",
    "User.Read.All": "the employee directory, photos, group overage",
    "User.ReadWrite.All": "employee directory write-back",
    "Directory.Read.All": "group membership checks",
    "Mail.Send": "reservation and notification mail",
    "Mail.Read": "bounce reports in the sending mailbox",
}


def token_claims(access_token: str) -> dict[str, Any]:
    """The claims of a JWT, unverified: only for reading our own token's `roles`."""
    payload = access_token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


def missing_permissions(graph: GraphClient) -> dict[str, str]:
    """Required permissions the current app token does not carry in its `roles` claim."""
    roles = set(token_claims(graph.tokens.access_token()).get("roles", []))
    return {name: why for name, why in REQUIRED_APP_PERMISSIONS.items() if name not in roles}
