"""Places: rooms, buildings and floors; rooms created with a chosen address (contract §7).

Rooms are keyed by their email address, never by `place.id` (not immutable), and new rooms take
time to appear in /places (up to 24-48 h in a real tenant), so callers poll rather than assume.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.graph.client import GraphClient, segment
from app.graph.errors import GraphNotFound

ROOM = "microsoft.graph.room"
BUILDING = "microsoft.graph.building"
FLOOR = "microsoft.graph.floor"
READ_ONLY_ROOM_FIELDS = frozenset({"id", "placeId", "emailAddress", "bookingType"})


def list_places(graph: GraphClient, place_type: str = ROOM, *, filter: str | None = None) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {"$top": 100}
    if filter:
        params["$filter"] = filter
    return graph.pages(f"/places/{place_type}", params=params)


def list_rooms(graph: GraphClient, *, filter: str | None = None) -> Iterator[dict[str, Any]]:
    return list_places(graph, ROOM, filter=filter)


def get_place(graph: GraphClient, id_or_email: str) -> dict[str, Any] | None:
    try:
        return graph.get(f"/places/{segment(id_or_email)}").body
    except GraphNotFound:
        return None


def update_room(graph: GraphClient, id_or_email: str, changes: dict[str, Any]) -> dict[str, Any]:
    refused = READ_ONLY_ROOM_FIELDS & changes.keys()
    if refused:
        raise ValueError(f"Graph cannot update {', '.join(sorted(refused))} of a room")
    return graph.patch(f"/places/{segment(id_or_email)}", json={"@odata.type": ROOM, **changes}).body


def create_building(graph: GraphClient, display_name: str, **fields: Any) -> dict[str, Any]:
    return graph.post("/places", json={"@odata.type": BUILDING, "displayName": display_name, **fields}).body


def create_floor(graph: GraphClient, building_id: str, display_name: str, **fields: Any) -> dict[str, Any]:
    body = {"@odata.type": FLOOR, "displayName": display_name, "parentId": building_id, **fields}
    return graph.post("/places", json=body).body


def create_room(
    graph: GraphClient, floor_id: str, display_name: str, email_address: str, **fields: Any
) -> dict[str, Any]:
    """A room (and its mailbox) with the address MyGov's naming convention chose."""
    body = {
        "@odata.type": ROOM,
        "displayName": display_name,
        "parentId": floor_id,
        "emailAddress": email_address,
        "bookingType": "standard",
        **fields,
    }
    return graph.post("/places", json=body).body
