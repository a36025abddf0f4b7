"""Facilities and spaces: the operations staff perform. Each change is audited and committed with
any Exchange write it owes (an outbox row), per DESIGN §1.4."""
from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.access.services import audit
from app.facilities import sharepoint
from app.extensions import db
from app.facilities.models import Facility, FacilitySpace, RoomCalendarShare
from app.graph import GraphClient, GraphError, calendar, places
from app.jobs.outbox import record_operation
from app.people.models import Employee
from app.reservations.models import ACTIVE_STATUSES, Reservation
from app.sqltypes import utcnow
from app.web.images import store_upload

SPACE_TARGET = "facility_space"
SHARE_TARGET = "room_calendar_share"
FACILITY_FIELDS = ("name", "building_abbreviation", "address")
SPACE_FIELDS = ("name", "floor", "capacity", "accessibility_notes")


class FacilitiesError(ValueError):
    """A refusal staff can act on: `field` names the form field, `space` the space that holds an address."""

    def __init__(self, message: str, *, field: str | None = None, space: FacilitySpace | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.space = space


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:90] or "space"


def _unique_slug(model: type, base: str, **scope: Any) -> str:
    slug, number = base, 1
    while db.session.scalar(select(model).filter_by(slug=slug, **scope)) is not None:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _snapshot(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


# --- facilities --------------------------------------------------------------------------------

def _check_abbreviation(value: str, facility: Facility | None) -> str:
    abbreviation = value.strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{1,16}", abbreviation):
        raise FacilitiesError("Use 1 to 16 letters or digits, such as LIB.", field="building_abbreviation")
    holder = db.session.scalar(select(Facility).where(func.upper(Facility.building_abbreviation) == abbreviation))
    if holder is not None and holder is not facility:
        raise FacilitiesError(f"{holder.name} already uses {abbreviation}.", field="building_abbreviation")
    return abbreviation


def create_facility(data: dict[str, Any], actor: Employee) -> Facility:
    facility = Facility(name=data["name"].strip(), address=(data.get("address") or "").strip(),
                        building_abbreviation=_check_abbreviation(data["building_abbreviation"], None))
    facility.slug = _unique_slug(Facility, slugify(facility.name))
    db.session.add(facility)
    db.session.flush()
    audit(actor, "facility.create", "facility", facility.id, None, _snapshot(facility, FACILITY_FIELDS))
    db.session.commit()
    return facility


def update_facility(facility: Facility, data: dict[str, Any], actor: Employee) -> None:
    before = _snapshot(facility, FACILITY_FIELDS)
    facility.building_abbreviation = _check_abbreviation(data["building_abbreviation"], facility)
    facility.name, facility.address = data["name"].strip(), (data.get("address") or "").strip()
    after = _snapshot(facility, FACILITY_FIELDS)
    if after != before:
        audit(actor, "facility.update", "facility", facility.id, before, after)
    if after["name"] != before["name"]:
        sharepoint.refresh_items(facility)
    db.session.commit()


def archive_facility(facility: Facility, actor: Employee) -> int:
    """Archive the facility and its spaces (citizens can no longer reserve them); returns spaces archived."""
    if facility.archived_at is not None:
        return 0
    now = utcnow()
    facility.archived_at = now
    live = [space for space in facility.spaces if space.archived_at is None]
    for space in live:
        space.archived_at = now
    audit(actor, "facility.archive", "facility", facility.id, None, {"spaces_archived": [s.id for s in live]})
    db.session.commit()
    return len(live)


def restore_facility(facility: Facility, actor: Employee) -> None:
    if facility.archived_at is None:
        return
    facility.archived_at = None
    audit(actor, "facility.restore", "facility", facility.id, None, None)
    db.session.commit()


# --- spaces ------------------------------------------------------------------------------------

def _space_values(data: dict[str, Any]) -> dict[str, Any]:
    return {"name": data["name"].strip(), "floor": (data.get("floor") or "").strip() or None,
            "capacity": data.get("capacity"), "accessibility_notes": (data.get("accessibility_notes") or "").strip()}


def create_space(facility: Facility, data: dict[str, Any], actor: Employee) -> FacilitySpace:
    if facility.archived_at is not None:
        raise FacilitiesError(f"{facility.name} is archived; restore it before adding spaces.")
    values = _space_values(data)
    slug = _unique_slug(FacilitySpace, slugify(values["name"]), facility_id=facility.id)
    space = FacilitySpace(facility=facility, slug=slug, **values)
    db.session.add(space)
    db.session.flush()
    audit(actor, "facility_space.create", SPACE_TARGET, space.id, None, _snapshot(space, SPACE_FIELDS))
    db.session.commit()
    return space


def update_space(space: FacilitySpace, data: dict[str, Any], actor: Employee) -> None:
    before, shown_before = _snapshot(space, SPACE_FIELDS), space.mailbox_display_name
    for name, value in _space_values(data).items():
        setattr(space, name, value)
    after = _snapshot(space, SPACE_FIELDS)
    if after != before:
        audit(actor, "facility_space.update", SPACE_TARGET, space.id, before, after)
    if after["name"] != before["name"]:
        sharepoint.refresh_items(space.facility, space)
    if space.mailbox_display_name != shown_before:
        _push_display_name(space)
    db.session.commit()


def set_space_photo(space: FacilitySpace, data: bytes, alt: str, actor: Employee) -> None:
    """The photo citizens see on the reservation pages; raises ImageRefused for a bad upload."""
    before = {"photo_path": space.photo_path, "photo_alt": space.photo_alt}
    space.photo_path, space.photo_alt = store_upload(data), alt.strip()
    audit(actor, "facility_space.photo", SPACE_TARGET, space.id, before,
          {"photo_path": space.photo_path, "photo_alt": space.photo_alt})
    db.session.commit()


def remove_space_photo(space: FacilitySpace, actor: Employee) -> None:
    if space.photo_path is None:
        return
    audit(actor, "facility_space.photo_remove", SPACE_TARGET, space.id,
          {"photo_path": space.photo_path, "photo_alt": space.photo_alt}, {"photo_path": None, "photo_alt": None})
    space.photo_path = space.photo_alt = None
    db.session.commit()


def archive_space(space: FacilitySpace, actor: Employee) -> None:
    if space.archived_at is not None:
        return
    upcoming = upcoming_reservations(space)
    if upcoming:
        raise FacilitiesError(f"{space.name} has {upcoming} upcoming reservation{'s' if upcoming != 1 else ''}; "
                              "deny or cancel them first.")
    space.archived_at = utcnow()
    audit(actor, "facility_space.archive", SPACE_TARGET, space.id, None, None)
    db.session.commit()


def restore_space(space: FacilitySpace, actor: Employee) -> None:
    if space.archived_at is None or space.facility.archived_at is not None:
        return
    space.archived_at = None
    audit(actor, "facility_space.restore", SPACE_TARGET, space.id, None, None)
    db.session.commit()


def upcoming_reservations(space: FacilitySpace) -> int:
    return db.session.scalar(select(func.count()).select_from(Reservation).where(
        Reservation.space_id == space.id, Reservation.status.in_(ACTIVE_STATUSES), Reservation.end_at > utcnow(),
    )) or 0


# --- display name (seed and override) ----------------------------------------------------------

def set_display_name(space: FacilitySpace, override: str | None, actor: Employee) -> None:
    """The room's name in Outlook: the space name unless overridden. The address never changes."""
    value = (override or "").strip() or None
    if value == space.name:
        value = None  # the same as the seed: nothing to override
    if value == space.mailbox_display_name_override:
        return
    before = {"display_name": space.mailbox_display_name, "override": space.mailbox_display_name_override}
    space.mailbox_display_name_override = value
    audit(actor, "facility_space.display_name", SPACE_TARGET, space.id, before,
          {"display_name": space.mailbox_display_name, "override": value})
    if space.mailbox_display_name != before["display_name"]:
        _push_display_name(space)
    db.session.commit()


def _push_display_name(space: FacilitySpace) -> None:
    if not space.exchange_resource_mailbox or space.provisioning_state not in ("active", "provisioning"):
        return
    record_operation("update_room", target_type=SPACE_TARGET, target_id=space.id,
                     payload={"room": space.exchange_resource_mailbox,
                              "changes": {"displayName": space.mailbox_display_name}},
                     idempotency_key=f"space-{space.id}-name-{uuid.uuid4().hex[:12]}")


# --- look up and associate ---------------------------------------------------------------------

@dataclass(frozen=True)
class RoomMatch:
    address: str
    display_name: str
    building: str | None
    capacity: int | None
    linked_to: FacilitySpace | None


def space_with_mailbox(address: str) -> FacilitySpace | None:
    return db.session.scalar(select(FacilitySpace).where(
        func.lower(FacilitySpace.exchange_resource_mailbox) == address.strip().lower()))


def find_rooms(graph: GraphClient, text: str) -> list[RoomMatch]:
    if len(text.strip()) < 2:
        raise FacilitiesError("Type at least 2 characters of the room's name or address.", field="q")
    return [RoomMatch(room["emailAddress"], room.get("displayName") or room["emailAddress"], room.get("building"),
                      room.get("capacity"), space_with_mailbox(room["emailAddress"]))
            for room in places.search_rooms(graph, text) if room.get("emailAddress")]


def link_room(space: FacilitySpace, graph: GraphClient, address: str, actor: Employee) -> None:
    holder = space_with_mailbox(address)
    if holder is not None and holder is not space:
        raise FacilitiesError(f"{address} is already the mailbox of {holder.name} ({holder.facility.name}).",
                              space=holder)
    if space.exchange_resource_mailbox and holder is not space:
        raise FacilitiesError(f"{space.name} already has the mailbox {space.exchange_resource_mailbox}; unlink it first.")
    room = places.get_place(graph, address)
    if room is None or not room.get("emailAddress"):
        raise FacilitiesError(f"Exchange has no room {address}.")
    before = {"mailbox": space.exchange_resource_mailbox}
    space.exchange_resource_mailbox = room["emailAddress"]
    space.graph_place_id = room.get("placeId") or room.get("id")
    space.graph_floor_place_id = room.get("parentId")
    space.provisioning_state, space.provisioning_error = "active", None
    # Linking changes nothing in Outlook: the room keeps its name there unless staff change it here.
    shown = room.get("displayName") or space.name
    space.mailbox_display_name_override = None if shown == space.name else shown
    audit(actor, "facility_space.link_mailbox", SPACE_TARGET, space.id, before,
          {"mailbox": space.exchange_resource_mailbox, "display_name": shown})
    db.session.commit()


def unlink_room(space: FacilitySpace, actor: Employee) -> None:
    if not space.exchange_resource_mailbox:
        return
    if space.provisioning_state == "provisioning":
        raise FacilitiesError("The room is still being provisioned; wait until it is active.")
    upcoming = upcoming_reservations(space)
    if upcoming:
        raise FacilitiesError(f"{upcoming} upcoming reservation{'s are' if upcoming != 1 else ' is'} held in this "
                              "room's calendar; cancel or move them before unlinking.")
    before = {"mailbox": space.exchange_resource_mailbox}
    space.exchange_resource_mailbox = space.graph_place_id = space.graph_floor_place_id = None
    space.provisioning_state, space.provisioning_error = "none", None
    audit(actor, "facility_space.unlink_mailbox", SPACE_TARGET, space.id, before, {"mailbox": None})
    db.session.commit()


# --- add to Outlook (calendar sharing) ---------------------------------------------------------

def staff_member(text: str) -> Employee:
    value = text.strip().lower()
    employee = db.session.scalar(select(Employee).where(
        (func.lower(Employee.mail) == value) | (func.lower(Employee.upn) == value)))
    if employee is None or not employee.account_enabled or not employee.mail:
        raise FacilitiesError("No active staff member with a mailbox has that address.", field="person")
    return employee


def share_calendar(space: FacilitySpace, employee: Employee, actor: Employee) -> RoomCalendarShare:
    if not space.exchange_resource_mailbox or space.provisioning_state != "active":
        raise FacilitiesError("The space needs an active room mailbox before its calendar can be shared.")
    existing = db.session.scalar(select(RoomCalendarShare).where(
        RoomCalendarShare.space_id == space.id, RoomCalendarShare.employee_id == employee.id,
        RoomCalendarShare.status == "invited", RoomCalendarShare.mailbox == space.exchange_resource_mailbox))
    if existing is not None:
        raise FacilitiesError(f"{employee.display_name} already has access.", field="person")
    share = RoomCalendarShare(space=space, employee=employee, address=employee.mail,
                              mailbox=space.exchange_resource_mailbox, role="read", created_by_id=actor.id)
    db.session.add(share)
    db.session.flush()
    record_operation("share_calendar", target_type=SHARE_TARGET, target_id=share.id,
                     payload={"owner": share.mailbox, "address": share.address, "name": employee.display_name,
                              "role": share.role},
                     idempotency_key=f"room-share-{share.id}")
    audit(actor, "facility_space.share_calendar", SPACE_TARGET, space.id, None,
          {"person": employee.display_name, "address": share.address, "role": share.role})
    db.session.commit()
    return share


def access_given_elsewhere(space: FacilitySpace, graph: GraphClient) -> list[str] | None:
    """People with access to the room's calendar that MyGov did not give (Outlook, Exchange admins).

    None when Graph could not say; reading never changes anything.
    """
    if not space.exchange_resource_mailbox or space.provisioning_state != "active":
        return []
    try:
        permissions = calendar.list_calendar_permissions(graph, space.exchange_resource_mailbox)
    except GraphError:
        return None
    ours = {s.permission_id for s in space.calendar_shares if s.status == "invited"}
    return [f"{(p.get('emailAddress') or {}).get('name') or ''} ({(p.get('emailAddress') or {}).get('address')}), "
            f"{p.get('role')}" for p in permissions
            if p.get("isRemovable", True) and (p.get("emailAddress") or {}).get("address") and p.get("id") not in ours]


def revoke_share(share: RoomCalendarShare, actor: Employee) -> None:
    if share.status == "revoked":
        return
    share.status, share.revoked_at = "revoked", utcnow()
    record_operation("revoke_calendar_share", target_type=SHARE_TARGET, target_id=share.id,
                     payload={"owner": share.mailbox, "permission_id": share.permission_id},
                     idempotency_key=f"room-share-{share.id}-revoke")
    audit(actor, "facility_space.revoke_calendar_share", SPACE_TARGET, share.space_id,
          {"person": share.employee.display_name, "address": share.address}, None)
    db.session.commit()
