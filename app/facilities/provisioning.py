"""Provisioning a space's room mailbox: building → floor → room places, through the outbox (§7.3).

The address comes from the naming convention and is checked against the directory before staff
confirm. The space shows `provisioning` until Graph lists the room (which can take up to 48 h in a
real tenant, gotcha 15), then `active`; `failed` with the reason if Exchange refused.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update

from app.access.services import audit
from app.extensions import db
from app.facilities.models import FacilitySpace
from app.facilities.naming import AddressRefused, room_address
from app.facilities.services import SPACE_TARGET, FacilitiesError, space_with_mailbox
from app.graph import GraphClient, GraphNotFound, places
from app.graph.client import segment
from app.jobs.models import GraphOperation
from app.jobs.outbox import record_operation
from app.people.models import Employee
from app.sqltypes import utcnow

PROVISIONING_KINDS = ("ensure_building_place", "ensure_floor_place", "create_room")


@dataclass(frozen=True)
class ProvisioningPlan:
    address: str
    display_name: str
    building: str
    building_known: bool
    floor: str


def floor_name(space: FacilitySpace) -> str:
    floor = (space.floor or "").strip()
    return f"Floor {floor}" if floor.lstrip("-").isdigit() else floor


def proposed_address(space: FacilitySpace) -> str:
    """The convention's address for this space (AddressRefused says why there is none)."""
    config = current_app.config
    return room_address(config["FACILITIES_ROOM_ADDRESS_PATTERN"], space.facility.building_abbreviation,
                        space.name, config["CITY_DOMAIN"])


def address_holder(graph: GraphClient, address: str) -> str | None:
    """Who already has this address in the directory or in /places, in words; None when it is free."""
    try:
        user = graph.get(f"/users/{segment(address)}", params={"$select": "id,displayName,mail"}).body
    except GraphNotFound:
        user = None
    if user:
        return f"the directory account {user.get('displayName') or address}"
    escaped = address.replace("'", "''")
    wanted = f"mail eq '{escaped}' or proxyAddresses/any(x:x eq 'smtp:{escaped}')"  # aliases count too
    found = list(graph.pages("/users", params={"$filter": wanted, "$select": "id,displayName"}))
    if found:
        return f"the directory account {found[0].get('displayName') or address}"
    room = places.get_place(graph, address)
    if room is not None:
        return f"the Exchange room “{room.get('displayName') or address}”"
    return None


def plan(space: FacilitySpace, graph: GraphClient) -> ProvisioningPlan:
    """What provisioning would do, or a refusal; nothing changes."""
    if space.archived_at is not None:
        raise FacilitiesError("Archived spaces are not provisioned.")
    if space.exchange_resource_mailbox and space.provisioning_state != "failed":
        raise FacilitiesError(f"{space.name} already has the mailbox {space.exchange_resource_mailbox}.")
    if not floor_name(space):
        raise FacilitiesError("Set the space's floor first: the room is created on a floor of the building.",
                              field="floor")
    try:
        address = proposed_address(space)
    except AddressRefused as refusal:
        raise FacilitiesError(str(refusal)) from None
    holder = space_with_mailbox(address)
    if holder is not None and holder is not space:
        raise FacilitiesError(f"{address} is already the mailbox of {holder.name}.", space=holder)
    taken_by = address_holder(graph, address)
    if taken_by:
        raise FacilitiesError(f"{address} is already taken in the directory by {taken_by}. Rename the space, "
                              "or link that room instead if it is this space.")
    facility = space.facility
    return ProvisioningPlan(address, space.mailbox_display_name, facility.name,
                            bool(facility.graph_building_place_id), floor_name(space))


def provision(space: FacilitySpace, graph: GraphClient, confirmed_address: str, actor: Employee) -> ProvisioningPlan:
    """Record building, floor and room operations in one transaction with the space's new state."""
    checked = plan(space, graph)
    if checked.address != confirmed_address:
        raise FacilitiesError(f"The address is now {checked.address} (the space changed); review it and confirm again.")
    _supersede_failed_attempts(space)
    facility = space.facility
    space.exchange_resource_mailbox = checked.address
    space.provisioning_state, space.provisioning_error = "provisioning", None
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    common = {"target_type": SPACE_TARGET, "target_id": space.id}
    record_operation("ensure_building_place", **common,
                     payload={"display_name": facility.name, "building_id": facility.graph_building_place_id},
                     idempotency_key=f"space-{space.id}-building-{stamp}")
    record_operation("ensure_floor_place", **common, payload={"display_name": checked.floor},
                     idempotency_key=f"space-{space.id}-floor-{stamp}")
    fields = {"capacity": space.capacity} if space.capacity else {}
    record_operation("create_room", **common,
                     payload={"display_name": checked.display_name, "address": checked.address, "fields": fields},
                     idempotency_key=f"space-{space.id}-room-{stamp}")
    audit(actor, "facility_space.provision", SPACE_TARGET, space.id, None,
          {"address": checked.address, "building": checked.building, "floor": checked.floor})
    db.session.commit()
    return checked


def _supersede_failed_attempts(space: FacilitySpace) -> None:
    """A new attempt replaces the failed one; otherwise it would wait behind it forever."""
    db.session.execute(
        update(GraphOperation)
        .where(GraphOperation.target_type == SPACE_TARGET, GraphOperation.target_id == str(space.id),
               GraphOperation.kind.in_(PROVISIONING_KINDS), GraphOperation.status.in_(("failed", "dead")))
        .values(status="superseded", completed_at=utcnow(), last_error_code="superseded",
                last_error_message="provisioning was started again")
        .execution_options(synchronize_session=False)
    )


def latest_attempt(space: FacilitySpace) -> list[GraphOperation]:
    """The operations of the latest provisioning attempt, in order."""
    operations = list(db.session.scalars(select(GraphOperation).where(
        GraphOperation.target_type == SPACE_TARGET, GraphOperation.target_id == str(space.id),
        GraphOperation.kind.in_(PROVISIONING_KINDS)).order_by(GraphOperation.id.desc()).limit(3)))
    return list(reversed(operations))


def check(space: FacilitySpace, graph: GraphClient) -> str:
    """Move a provisioning space on: `failed` if Exchange refused, `active` once Graph lists the room."""
    if space.provisioning_state != "provisioning" or not space.exchange_resource_mailbox:
        return space.provisioning_state
    attempt = latest_attempt(space)
    broken = next((op for op in attempt if op.status in ("failed", "dead")), None)
    if broken is not None:
        space.provisioning_state = "failed"
        space.provisioning_error = f"{broken.kind.replace('_', ' ')}: {broken.last_error_message or broken.last_error_code}"
        space.exchange_resource_mailbox = None  # the address was not made ours
        audit(None, "facility_space.provision_failed", SPACE_TARGET, space.id, None,
              {"error": space.provisioning_error}, actor_label="MyGov")
    elif attempt and attempt[-1].kind == "create_room" and attempt[-1].status == "done":
        room = places.get_place(graph, space.exchange_resource_mailbox)
        if room is not None:
            space.provisioning_state = "active"
            space.graph_place_id = room.get("placeId") or room.get("id")
            audit(None, "facility_space.provisioned", SPACE_TARGET, space.id, None,
                  {"address": space.exchange_resource_mailbox}, actor_label="MyGov")
    db.session.commit()
    return space.provisioning_state


def check_all(graph: GraphClient) -> dict[str, int]:
    counts = {"checked": 0, "active": 0, "failed": 0}
    spaces = db.session.scalars(select(FacilitySpace).where(FacilitySpace.provisioning_state == "provisioning"))
    for space in list(spaces):
        counts["checked"] += 1
        state = check(space, graph)
        if state in ("active", "failed"):
            counts[state] += 1
    return counts


def spaces_provisioning() -> int:
    return db.session.scalar(select(func.count()).select_from(FacilitySpace).where(
        FacilitySpace.provisioning_state == "provisioning")) or 0
