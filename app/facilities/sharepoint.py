"""A facility's SharePoint list of approved reservations, kept in step through the outbox.

An approved reservation becomes a list item (create_list_item); a change to what the item shows
updates it (update_list_item); a cancelled or denied one is deleted (delete_list_item). All the
operations of one reservation share one outbox target, so they run in order and an update or a
delete finds the item id its create stored. Citizens' name, email and phone are left out unless the
facility turns them on.
"""
from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select

from app.access.services import audit
from app.extensions import db
from app.facilities.models import Facility, FacilitySpace
from app.jobs.models import GraphOperation
from app.jobs.outbox import record_operation
from app.people.models import Employee
from app.reservations.models import Reservation
from app.sqltypes import utcnow

TARGET_TYPE = "sharepoint_item"
CONTACT_FIELDS = ("RequesterName", "RequesterEmail", "RequesterPhone")


def item_fields(reservation: Reservation) -> dict[str, Any]:
    space, facility = reservation.space, reservation.space.facility
    fields: dict[str, Any] = {
        "Title": f"{reservation.reference} · {space.name}",
        "Reference": reservation.reference, "Room": space.name, "Facility": facility.name,
        "Start": reservation.start_at.isoformat().replace("+00:00", "Z"),
        "End": reservation.end_at.isoformat().replace("+00:00", "Z"),
        "Attendees": reservation.attendees, "Purpose": reservation.purpose,
    }
    if facility.sharepoint_include_contact:
        fields.update(zip(CONTACT_FIELDS, (reservation.requester_name, reservation.requester_email,
                                           reservation.requester_phone or "")))
    return fields


def _record(kind: str, reservation: Reservation, site_id: str, list_id: str, payload: dict[str, Any]) -> None:
    record_operation(
        kind, target_type=TARGET_TYPE, target_id=f"reservation-{reservation.id}",
        payload={"site_id": site_id, "list_id": list_id, **payload},
        idempotency_key=f"sharepoint-{reservation.reference}-{kind}-{uuid.uuid4().hex[:16]}",
    )


def mirror_approved(reservation: Reservation) -> None:
    """In the caller's transaction: the approved reservation becomes an item of its facility's list."""
    facility = reservation.space.facility
    if facility.mirrors_to_sharepoint:
        _record("create_list_item", reservation, facility.sharepoint_site_id, facility.sharepoint_list_id,
                {"fields": item_fields(reservation)})


def mirror_changed(reservation: Reservation) -> None:
    """The item shows the reservation as it is now (in the list it was created in)."""
    created = _creation(reservation)
    if created is None or not reservation.space.facility.mirrors_to_sharepoint:
        return
    fields = item_fields(reservation)
    if not reservation.space.facility.sharepoint_include_contact and _contact_was_sent(reservation):
        fields.update(dict.fromkeys(CONTACT_FIELDS, ""))  # a PATCH keeps fields it does not name: blank them
    _record("update_list_item", reservation, created.payload["site_id"], created.payload["list_id"],
            {"fields": fields})


def mirror_removed(reservation: Reservation) -> None:
    """Cancelled or denied: its item leaves the list it was added to (nothing happens if it never was)."""
    created = _creation(reservation)
    if created is not None:
        _record("delete_list_item", reservation, created.payload["site_id"], created.payload["list_id"], {})


def _contact_was_sent(reservation: Reservation) -> bool:
    sent = db.session.scalars(select(GraphOperation.payload).where(
        GraphOperation.target_type == TARGET_TYPE, GraphOperation.target_id == f"reservation-{reservation.id}",
        GraphOperation.kind.in_(("create_list_item", "update_list_item"))))
    return any((payload.get("fields") or {}).get("RequesterEmail") for payload in sent)


def _creation(reservation: Reservation) -> GraphOperation | None:
    """The create of the item the list holds now: None if none was added or a delete followed it."""
    latest = db.session.scalar(select(GraphOperation).where(
        GraphOperation.target_type == TARGET_TYPE, GraphOperation.target_id == f"reservation-{reservation.id}",
        GraphOperation.kind.in_(("create_list_item", "delete_list_item"))).order_by(GraphOperation.id.desc()).limit(1))
    return latest if latest is not None and latest.kind == "create_list_item" else None


def mirror_moved(reservation: Reservation) -> None:
    """After a move: the item follows (updated, or moved to the new facility's list); gone if no longer approved."""
    if reservation.status != "approved":
        mirror_removed(reservation)
        return
    created, facility = _creation(reservation), reservation.space.facility
    if created is not None and (created.payload["site_id"], created.payload["list_id"]) == (
            facility.sharepoint_site_id, facility.sharepoint_list_id):
        mirror_changed(reservation)
    else:
        mirror_removed(reservation)
        mirror_approved(reservation)


def upcoming_approved(facility: Facility, space: FacilitySpace | None = None) -> list[Reservation]:
    query = (select(Reservation).join(FacilitySpace).where(
        FacilitySpace.facility_id == facility.id, Reservation.status == "approved", Reservation.end_at > utcnow()))
    if space is not None:
        query = query.where(Reservation.space_id == space.id)
    return list(db.session.scalars(query.order_by(Reservation.start_at)))


def refresh_items(facility: Facility, space: FacilitySpace | None = None) -> int:
    """After a change to what the items show (a name, contact details on or off): update or add them."""
    if not facility.mirrors_to_sharepoint:
        return 0
    reservations = upcoming_approved(facility, space)
    for reservation in reservations:
        created = _creation(reservation)
        in_this_list = created is not None and (created.payload["site_id"], created.payload["list_id"]) == (
            facility.sharepoint_site_id, facility.sharepoint_list_id)
        (mirror_changed if in_this_list else mirror_approved)(reservation)
    return len(reservations)


class ListSettingsError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


SITE_ID = re.compile(r"[A-Za-z0-9.-]+\.sharepoint\.(com|us)(,[0-9A-Fa-f-]{36}){0,2}\Z|[0-9A-Fa-f,-]{36,80}\Z")
LIST_ID = re.compile(r"[^/\\#?%]{1,300}\Z")


def configure(facility: Facility, site_id: str, list_id: str, include_contact: bool, actor: Employee) -> int:
    """Save where the facility's approved reservations are mirrored; returns the items queued to add or update.

    Both blank turns mirroring off (items already in the list stay there).
    """
    site_id, list_id = (site_id or "").strip(), (list_id or "").strip()
    errors: dict[str, str] = {}
    if site_id and not SITE_ID.match(site_id):
        errors["site_id"] = ("Paste the site id IT gave you, such as "
                             "auburnal.sharepoint.com,2c1f…,9a0e… (the host name, then two ids).")
    if list_id and not LIST_ID.match(list_id):
        errors["list_id"] = "Paste the list's id (or its name), without slashes."
    if bool(site_id) != bool(list_id):
        errors["site_id" if not site_id else "list_id"] = "Give both the site and the list, or neither to stop."
    if errors:
        raise ListSettingsError(errors)
    before = _settings(facility)
    facility.sharepoint_site_id, facility.sharepoint_list_id = site_id or None, list_id or None
    facility.sharepoint_include_contact = bool(include_contact)
    after = _settings(facility)
    queued = 0
    if after != before:
        audit(actor, "facility.sharepoint", "facility", facility.id, before, after)
        queued = refresh_items(facility)
    db.session.commit()
    return queued


def _settings(facility: Facility) -> dict[str, Any]:
    return {"site_id": facility.sharepoint_site_id, "list_id": facility.sharepoint_list_id,
            "include_contact": facility.sharepoint_include_contact}
