"""Mirroring approved reservations into a facility's SharePoint list, through the outbox.

An approved reservation becomes a list item (create_list_item); when it is moved, cancelled or
asked for again the item changes (update_list_item), so the list keeps the history staff plan with. Citizens'
contact details go to the list only when the facility turned that on. The app needs only
`Sites.Selected`, granted write on that one site (see README).
"""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.facilities.models import Facility
from app.jobs.models import GraphOperation
from app.jobs.outbox import record_operation
from app.people.models import Employee
from app.reservations.models import Reservation
from app.sharepoint.models import ReservationListMirror

TARGET = "reservation_list_item"
SITE_ID = re.compile(r"^[A-Za-z0-9.-]+,[0-9a-fA-F-]{36},[0-9a-fA-F-]{36}$")
LIST_ID = re.compile(r"^[0-9a-fA-F-]{36}$")


def mirror_of(facility_id: int) -> ReservationListMirror | None:
    return db.session.scalar(select(ReservationListMirror).where(ReservationListMirror.facility_id == facility_id))


def configure(facility: Facility, site_id: str, list_id: str, include_contacts: bool, enabled: bool,
              actor: Employee) -> dict[str, str]:
    """Save the facility's list (audited, committed), or each field's error and nothing saved."""
    site_id, list_id = site_id.strip(), list_id.strip()
    errors = {}
    if not SITE_ID.match(site_id):
        errors["site_id"] = "Paste the site id Graph gives, like auburnal.sharepoint.com,<guid>,<guid>."
    if not LIST_ID.match(list_id):
        errors["list_id"] = "Paste the list's id, a GUID like 0b3c6b4e-1d2f-4a5b-8c9d-0e1f2a3b4c5d."
    if errors:
        return errors
    mirror = mirror_of(facility.id) or ReservationListMirror(facility_id=facility.id)
    before = ({"site_id": mirror.site_id, "list_id": mirror.list_id, "include_contacts": mirror.include_contacts,
               "enabled": mirror.enabled} if mirror.id else None)
    mirror.site_id, mirror.list_id = site_id, list_id
    mirror.include_contacts, mirror.enabled = include_contacts, enabled
    db.session.add(mirror)
    db.session.add(AuditEntry(actor_id=actor.id, actor_label=actor.display_name, action="facility.list_mirror",
                              target_type="facility", target_id=str(facility.id), before=before,
                              after={"site_id": site_id, "list_id": list_id, "include_contacts": include_contacts,
                                     "enabled": enabled}))
    db.session.commit()
    return {}


STATUS_WORDS = {"approved": "Approved", "cancelled": "Cancelled", "pending": "Awaiting approval again",
                "denied": "Denied"}


def _fields(reservation: Reservation, include_contacts: bool) -> dict[str, object]:
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    fields: dict[str, object] = {
        "Title": reservation.reference, "Facility": reservation.space.facility.name, "Room": reservation.space.name,
        "Start": reservation.start_at.astimezone(zone).isoformat(), "End": reservation.end_at.astimezone(zone).isoformat(),
        "Attendees": reservation.attendees, "Purpose": reservation.purpose,
        "Status": STATUS_WORDS.get(reservation.status, reservation.status.capitalize()),
    }
    if include_contacts:
        fields.update({"RequesterName": reservation.requester_name, "RequesterEmail": reservation.requester_email,
                       "RequesterPhone": reservation.requester_phone or ""})
    return fields


def _writes(reservation: Reservation) -> list[GraphOperation]:
    return list(db.session.scalars(select(GraphOperation).where(
        GraphOperation.target_type == TARGET, GraphOperation.target_id == str(reservation.id),
        GraphOperation.kind.in_(("create_list_item", "update_list_item"))).order_by(GraphOperation.id)))


def mirror_reservation(reservation: Reservation) -> None:
    """Record (in the caller's transaction) what the list must show after this change.

    An approved reservation not yet in a list is added to its facility's list; once there, every
    later change (approval again, a move, a cancellation) updates that item, in that list.
    """
    db.session.flush()
    writes = _writes(reservation)
    if not writes:
        mirror = mirror_of(reservation.space.facility_id)
        if mirror is None or not mirror.enabled or reservation.status != "approved":
            return
        record_operation("create_list_item", target_type=TARGET, target_id=reservation.id,
                         payload={"site_id": mirror.site_id, "list_id": mirror.list_id,
                                  "fields": _fields(reservation, mirror.include_contacts)},
                         idempotency_key=f"reservation-{reservation.reference}-list-create")
        return
    created = writes[0].payload
    record_operation("update_list_item", target_type=TARGET, target_id=reservation.id,
                     payload={"site_id": created["site_id"], "list_id": created["list_id"],
                              "fields": _fields(reservation, "RequesterEmail" in created["fields"])},
                     idempotency_key=f"reservation-{reservation.reference}-list-update-{len(writes)}")
