"""`/places` (contract §7): rooms and the building → floor → room hierarchy.

A room created here gets its mailbox at once but shows in reads only after the configured
propagation delay, as `/places` lags behind Exchange in a real tenant. As in Graph, v1.0
`POST /places` generates a room's address (alias + digits) whatever the body says; only the beta
endpoint takes a requested `emailAddress` (§7.3).
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from typing import Any

from flask import Blueprint, request

from app.devtenant.context import tenant
from app.devtenant.errors import GraphError, bad_request, item_not_found
from app.devtenant.graph.common import (
    OUTLOOK,
    collection,
    json_body,
    page_by_skip,
    permission,
    project,
    require,
    selected,
    top,
)
from app.devtenant.graph.users import count_requested
from app.devtenant.odata import FilterError, parse_filter
from app.devtenant.state import Mailbox

blueprint = Blueprint("places", __name__)
beta_blueprint = Blueprint("places_beta", __name__)

READ_PLACES = permission(OUTLOOK, "Place.Read.All", "Place.ReadWrite.All")
WRITE_PLACES = permission(OUTLOOK, "Place.ReadWrite.All")
TYPES = {"building", "floor", "room"}
PARENT_TYPE = {"floor": "building", "room": "floor"}
NOT_UPDATABLE = {"id", "placeId", "emailAddress", "bookingType"}
ROOM_WRITABLE = {
    "displayName",
    "address",
    "audioDeviceName",
    "building",
    "capacity",
    "displayDeviceName",
    "floorLabel",
    "floorNumber",
    "geoCoordinates",
    "isWheelChairAccessible",
    "label",
    "nickname",
    "phone",
    "tags",
    "videoDeviceName",
    "description",
    "parentId",
    "resourceLinks",
}
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def _type_of(place: dict[str, Any]) -> str:
    return place["@odata.type"].rsplit(".", 1)[-1]


def _visible(place_id: str) -> bool:
    return tenant().state.place_visible_at.get(place_id, 0) <= time.time()


def _find(key: str, visible_only: bool) -> dict[str, Any]:
    lowered = key.lower()
    for place in tenant().state.places.values():
        if lowered in (
            place["id"].lower(),
            str(place.get("placeId", "")).lower(),
            str(place.get("emailAddress", "")).lower(),
        ):
            if visible_only and not _visible(place["id"]):
                break
            return place
    raise item_not_found()


@blueprint.get("/places/<key>")
def get_or_list(key: str) -> dict[str, Any]:
    require(READ_PLACES)
    if key.startswith("microsoft.graph."):
        return _list(key[len("microsoft.graph.") :])
    place = _find(key, visible_only=True)
    return {
        "@odata.context": f"{tenant().graph_base()}/$metadata#places/$entity",
        **project(place, selected()),
    }


@blueprint.get("/places/<key>/<cast>")
def get_cast(key: str, cast: str) -> dict[str, Any]:
    """`/places/{id}/microsoft.graph.room`: the place seen as that type; another type is not found."""
    require(READ_PLACES)
    if not cast.startswith("microsoft.graph."):
        raise bad_request("BadRequest", f"Resource not found for the segment '{cast}'.")
    place = _find(key, visible_only=True)
    if _type_of(place) != cast[len("microsoft.graph.") :]:
        raise item_not_found()
    return {
        "@odata.context": f"{tenant().graph_base()}/$metadata#places/{cast}/$entity",
        **project(place, selected()),
    }


def _list(place_type: str) -> dict[str, Any]:
    if place_type not in TYPES | {"roomlist", "workspace"}:
        raise bad_request("BadRequest", f"Resource not found for the segment 'microsoft.graph.{place_type}'.")
    places = [p for p in tenant().state.places.values() if _type_of(p) == place_type and _visible(p["id"])]
    text = request.args.get("$filter")
    if text:
        try:
            query = parse_filter(text)
        except FilterError as error:
            raise bad_request("BadRequest", str(error)) from None
        places = [p for p in places if query.evaluate(p)]
    places.sort(key=lambda p: (p.get("displayName") or "", p["id"]))
    page, next_link = page_by_skip([project(p, selected()) for p in places], top(100, 1000))
    extra = {"@odata.count": len(places)} if count_requested() else {}
    return collection(f"places/microsoft.graph.{place_type}", page, next_link, **extra)


@blueprint.post("/places")
def create_place() -> tuple[dict[str, Any], int]:
    body = {k: v for k, v in json_body().items() if k != "emailAddress"}  # v1.0 generates it
    return _create_place(body)


@beta_blueprint.post("/places")
def create_place_beta() -> tuple[dict[str, Any], int]:
    return _create_place(json_body())


def _create_place(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    require(WRITE_PLACES)
    place_type = str(body.get("@odata.type", "")).lstrip("#").removeprefix("microsoft.graph.")
    if place_type not in TYPES:
        raise bad_request(
            "BadRequest",
            f"Creating places of type '{body.get('@odata.type')}' is not supported here; use building, floor or room.",
        )
    if not body.get("displayName"):
        raise bad_request("BadRequest", "The property 'displayName' is required.")
    state = tenant().state
    parent = None
    if place_type in PARENT_TYPE:
        parent = state.places.get(str(body.get("parentId")))
        if parent is None or _type_of(parent) != PARENT_TYPE[place_type]:
            raise bad_request(
                "BadRequest",
                f"A {place_type} needs a parentId that is the id of an existing {PARENT_TYPE[place_type]}.",
            )
    place_id = str(uuid.uuid4())
    place = {k: v for k, v in body.items() if k != "@odata.type"}
    place.update({"@odata.type": f"#microsoft.graph.{place_type}", "id": place_id, "placeId": place_id})
    if place_type == "room":
        _provision_room(place, parent)  # type: ignore[arg-type]
        state.place_visible_at[place_id] = time.time() + state.settings.places_propagation_seconds
    state.places[place_id] = place
    return {"@odata.context": f"{tenant().graph_base()}/$metadata#places/$entity", **place}, 201


def _provision_room(room: dict[str, Any], floor: dict[str, Any]) -> None:
    """Fill the room from its floor and building, and create its mailbox."""
    state = tenant().state
    building = state.places.get(floor.get("parentId", ""), {})
    address = room.get("emailAddress")
    if address is None:
        alias = re.sub(r"[^A-Za-z0-9]", "", room["displayName"]) or "room"
        address = f"{alias}{secrets.randbelow(10**12):012d}@{state.domain}"
    if not EMAIL.match(address):
        raise bad_request("BadRequest", f"The email address '{address}' is not valid.")
    if address.rpartition("@")[2].lower() != state.domain:
        raise bad_request(
            "BadRequest", f"The domain of '{address}' is not an accepted domain of this tenant."
        )
    if state.find_mailbox(address) is not None or state.find_user(address) is not None:
        raise GraphError(409, "Conflict", f"A mailbox with the email address '{address}' already exists.")
    label = str(floor.get("sortOrder", floor.get("displayName", "")))
    room.setdefault("bookingType", "standard")
    room.setdefault("nickname", room["displayName"])
    room.setdefault("building", building.get("displayName"))
    room.setdefault("floorLabel", label)
    room.setdefault("floorNumber", int(label) if label.lstrip("-").isdigit() else None)
    room.setdefault("address", building.get("address"))
    room["emailAddress"] = address
    state.add_resource_mailbox(Mailbox(str(uuid.uuid4()), address, room["displayName"], "room"))


@blueprint.patch("/places/<key>")
def update_place(key: str) -> dict[str, Any]:
    require(WRITE_PLACES)
    place = _find(key, visible_only=False)
    body = json_body()
    declared = str(body.get("@odata.type", "")).lstrip("#")
    if declared != place["@odata.type"].lstrip("#"):
        raise bad_request(
            "BadRequest", f"The @odata.type of the body must be '{place['@odata.type'].lstrip('#')}'."
        )
    for name in body:
        if name in NOT_UPDATABLE:
            raise bad_request(
                "ErrorInvalidPropertyUpdateSentByClient", f"The property '{name}' can't be updated."
            )
        if name != "@odata.type" and name not in ROOM_WRITABLE:
            raise bad_request(
                "BadRequest",
                f"The property '{name}' does not exist on type '{place['@odata.type'].lstrip('#')}'.",
            )
    place.update({k: v for k, v in body.items() if k != "@odata.type"})
    mailbox = tenant().state.find_mailbox(place.get("emailAddress") or "")
    if mailbox is not None and "displayName" in body:
        mailbox.display_name = body["displayName"]
    return {"@odata.context": f"{tenant().graph_base()}/$metadata#places/$entity", **place}
