"""Worker side of the facilities area: results of place and sharing operations, and server jobs."""
from __future__ import annotations

from typing import Any

from app.extensions import db
from app.facilities import provisioning, reconcile
from app.facilities.models import FacilitySpace, RoomCalendarShare
from app.facilities.services import SHARE_TARGET, SPACE_TARGET
from app.jobs.actions import Param, action
from app.jobs.handlers import on_result
from app.jobs.models import GraphOperation
from app.microsoft import graph_client


def _space(operation: GraphOperation) -> FacilitySpace | None:
    return db.session.get(FacilitySpace, int(operation.target_id))


@on_result("ensure_building_place", SPACE_TARGET)
def building_placed(operation: GraphOperation, result: dict[str, Any]) -> None:
    space = _space(operation)
    if space is not None:
        space.facility.graph_building_place_id = result["building_id"]


@on_result("ensure_floor_place", SPACE_TARGET)
def floor_placed(operation: GraphOperation, result: dict[str, Any]) -> None:
    space = _space(operation)
    if space is not None:
        space.graph_floor_place_id = result["floor_id"]


@on_result("create_room", SPACE_TARGET)
def room_created(operation: GraphOperation, result: dict[str, Any]) -> None:
    """The address Exchange gave is the room's identity, even if it is not the one asked for."""
    space = _space(operation)
    if space is None:
        return
    if result.get("address") and result["address"].lower() != (space.exchange_resource_mailbox or "").lower():
        space.provisioning_error = (f"Exchange gave the room the address {result['address']} instead of "
                                    f"{space.exchange_resource_mailbox}.")
        space.exchange_resource_mailbox = result["address"]
    if result.get("place_id"):
        space.graph_place_id = result["place_id"]


@on_result("share_calendar", SHARE_TARGET)
def calendar_shared(operation: GraphOperation, result: dict[str, Any]) -> None:
    share = db.session.get(RoomCalendarShare, int(operation.target_id))
    if share is not None:
        share.permission_id = result.get("permission_id")


@action("facilities.check_provisioning", description="Mark provisioning rooms active once Graph lists them "
        "(or failed when Exchange refused).", queue="sync")
def check_provisioning(params: dict[str, Any]) -> dict[str, Any]:
    return provisioning.check_all(graph_client())


@action(
    "facilities.reconcile_room_calendars",
    description="Compare room calendars' MyGov events with active reservations and published events; "
    "report missing, extra and mismatched events (repair waits for staff confirmation).", queue="sync",
    params=(Param("days", kind="int", help="days ahead to compare, from now (default 30)"),),
)
def reconcile_room_calendars(params: dict[str, Any]) -> dict[str, Any]:
    return reconcile.check_rooms(graph_client(), days=int(params.get("days") or reconcile.DEFAULT_DAYS))
