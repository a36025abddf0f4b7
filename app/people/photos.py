"""Entra photos into the image store. A photo uploaded in MyGov (the override) always wins:
the contact shows photo_override_path when set, whatever Entra has."""
from __future__ import annotations

import logging
from collections import Counter
from typing import Protocol

from sqlalchemy import select

from app.extensions import db
from app.people.contacts import refresh_contacts
from app.web.images import ImageRefused, clean_image, content_hash, store_image
from app.people.models import Employee

log = logging.getLogger(__name__)
COMMIT_EVERY = 100


class UserPhotoSource(Protocol):
    def get_user_photo(self, user_id: str) -> bytes | None: ...


def sync_entra_photos(source: UserPhotoSource, tenant_id: str,
                      employee_id: int | None = None) -> dict[str, int]:
    """Fetch the Entra photo of every active employee (or one); counts what happened to each."""
    query = select(Employee).where(
        Employee.tenant_id == tenant_id, Employee.entra_removed_at.is_(None)
    ).order_by(Employee.id)
    if employee_id is not None:
        query = query.where(Employee.id == employee_id)
    counts: Counter[str] = Counter()
    changed: list[int] = []
    for employee in db.session.scalars(query).all():
        outcome = _sync_one(source, employee)
        counts[outcome] += 1
        if outcome in ("stored", "cleared"):
            changed.append(employee.id)
        if len(changed) >= COMMIT_EVERY:
            _commit(changed)
    _commit(changed)
    return {key: counts[key] for key in ("stored", "unchanged", "cleared", "no_photo", "refused")}


def _sync_one(source: UserPhotoSource, employee: Employee) -> str:
    data = source.get_user_photo(employee.entra_oid)
    if data is None:  # no photo in Entra is normal, not an error
        if employee.entra_photo_hash is None:
            return "no_photo"
        employee.entra_photo_hash = employee.entra_photo_path = None
        return "cleared"
    digest = content_hash(data)
    if digest == employee.entra_photo_hash:
        return "unchanged"
    try:
        cleaned = clean_image(data)
    except ImageRefused as refused:
        log.warning("Entra photo of %s refused (%s); kept the old one", employee.entra_oid, refused)
        return "refused"
    employee.entra_photo_path = store_image(*cleaned)
    employee.entra_photo_hash = digest
    return "stored"


def _commit(changed: list[int]) -> None:
    db.session.flush()
    refresh_contacts(changed)
    db.session.commit()
    changed.clear()
