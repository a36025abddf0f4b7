"""Worker actions of the people area: directory delta sync and Entra photos."""
from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.graph import DeltaTokenExpired, users
from app.jobs.actions import Param, action
from app.jobs.models import SyncState
from app.microsoft import graph_client
from app.people.models import Employee
from app.people.services import upsert_employee_from_graph

DELTA_KEY = "graph.users.delta"


@action("graph.sync_users_delta", description="Apply Entra directory changes since the last sync.", queue="sync")
def sync_users_delta(params: dict[str, Any]) -> dict[str, Any]:
    state = db.session.get(SyncState, DELTA_KEY) or SyncState(key=DELTA_KEY)
    counts = {"created": 0, "updated": 0, "deactivated": 0, "full_resync": False}
    try:
        _apply_round(state, state.value, counts)
    except DeltaTokenExpired:  # the stored link is too old: a full round, still consistent
        db.session.rollback()
        counts.update(created=0, updated=0, deactivated=0, full_resync=True)
        state = db.session.get(SyncState, DELTA_KEY) or SyncState(key=DELTA_KEY)
        _apply_round(state, None, counts)
    return counts


def _apply_round(state: SyncState, link: str | None, counts: dict[str, Any]) -> None:
    tenant_id = current_app.config["ENTRA_TENANT_ID"]
    round_ = users.users_delta(graph_client(), link)
    seen: set[str] = set()
    for user in round_:
        seen.add(user["id"])
        if "@removed" in user:
            employee = db.session.scalar(select(Employee).where(
                Employee.tenant_id == tenant_id, Employee.entra_oid == user["id"]))
            if employee is not None and employee.account_enabled:
                employee.account_enabled = False  # deactivated and hidden, never deleted
                counts["deactivated"] += 1
            continue
        created = upsert_employee_from_graph(tenant_id, user)
        counts["created" if created else "updated"] += 1
    if link is None:  # a full round lists everyone: whoever it did not list is gone from Entra
        for employee in db.session.scalars(select(Employee).where(
            Employee.tenant_id == tenant_id, Employee.account_enabled.is_(True), Employee.entra_oid.not_in(seen)
        )):
            employee.account_enabled = False
            counts["deactivated"] += 1
    state.value = round_.delta_link  # verbatim, never rebuilt
    db.session.add(state)
    db.session.commit()


def image_store() -> Path:
    configured = current_app.config.get("IMAGE_STORE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "images"


@action(
    "graph.get_user_photo", description="Download Entra photos that changed (target: all, or one user id).",
    params=(Param("target", required=True, help="all, or an Entra user id"),), queue="sync",
)
def get_user_photo(params: dict[str, Any]) -> dict[str, Any]:
    query = select(Employee).where(Employee.account_enabled.is_(True))
    if params["target"] != "all":
        query = query.where(Employee.entra_oid == params["target"])
    counts = {"downloaded": 0, "unchanged": 0, "no_photo": 0}
    folder = image_store() / "entra"
    folder.mkdir(parents=True, exist_ok=True)
    for employee in db.session.scalars(query).all():
        photo = users.get_user_photo(graph_client(), employee.entra_oid)
        if photo is None:
            counts["no_photo"] += 1
            employee.entra_photo_hash = None
            continue
        digest = hashlib.sha256(photo.content).hexdigest()
        extension = mimetypes.guess_extension(photo.content_type) or ".img"
        path = folder / f"{digest}{extension}"
        if employee.entra_photo_hash == digest and path.exists():
            counts["unchanged"] += 1
            continue
        path.write_bytes(photo.content)
        employee.entra_photo_hash = digest
        counts["downloaded"] += 1
    db.session.commit()
    return counts
