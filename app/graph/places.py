"""Places: rooms, buildings and floors; rooms created with a chosen address (contract §7).

Rooms are keyed by their email address, never by `place.id` (not immutable), and new rooms take
time to appear in /places (up to 24-48 h in a real tenant), so callers poll rather than assume.
v1.0 `POST /places` makes up a room's address; only beta takes the address MyGov's naming
convention chose, so rooms are created there and the answer's address is checked by the caller.
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


def beta_url(graph: GraphClient, path: str) -> str:
    base = graph.settings.graph_base_url.rstrip("/")
    root = base[: -len("/v1.0")] if base.endswith("/v1.0") else base.rsplit("/", 1)[0]
    return f"{root}/beta{path}"


def search_rooms(graph: GraphClient, text: str, *, limit: int = 25) -> list[dict[str, Any]]:
    """Rooms whose display name or address contains `text` (a city has hundreds of rooms, not more)."""
    needle = text.strip().lower()
    found = []
    for room in list_rooms(graph):
        if needle in str(room.get("displayName", "")).lower() or needle in str(room.get("emailAddress", "")).lower():
            found.append(room)
            if len(found) >= limit:
                break
    return found


def find_child(graph: GraphClient, place_type: str, display_name: str, parent_id: str | None = None) -> dict[str, Any] | None:
    """An existing building (or a floor of a building) with this name, so provisioning reuses it."""
    for place in list_places(graph, place_type):
        if str(place.get("displayName", "")).strip().lower() != display_name.strip().lower():
            continue
        if parent_id is None or place.get("parentId") == parent_id:
            return place
    return None


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
    return graph.post(beta_url(graph, "/places"), json=body).body
