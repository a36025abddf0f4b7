"""Directory sync: replay the stored users delta link and apply each page in bulk.

Each page costs a fixed number of statements whatever its size: one read of the employees it
names, one upsert of the Entra columns of those that are new or changed, one update for the
removed, and one contact refresh. Override columns are never in any of them.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from sqlalchemy import select, update

from app.extensions import db
from app.jobs.models import SyncState
from app.people.contacts import (
    SOURCE_COLUMNS, contact_values, dialect_insert, id_list, refresh_contacts, upsert_contacts,
)
from app.people.models import Employee
from app.people.services import entra_values, is_resource_mailbox
from app.sqltypes import utcnow

DELTA_KEY = "graph.users.delta"
ENTRA_COLUMNS = (
    "upn", "mail", "legal_name", "given_name", "surname", "job_title", "department",
    "office_location", "business_phone", "account_enabled",
)
CHUNK = 500
# What a new row holds in the columns a sync never writes.
NEW_EMPLOYEE = {
    "display_name_override": None, "public_title_override": None, "public_phone_override": None,
    "public_email_override": None, "photo_override_path": None, "entra_photo_path": None,
    "show_publicly": False,
}


class UsersDeltaPage(Protocol):
    users: list[dict[str, Any]]
    delta_link: str | None


class UsersDeltaSource(Protocol):
    def users_delta(self, delta_link: str | None = None) -> Iterator[UsersDeltaPage]: ...


@dataclass
class SyncCounts:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    pages: int = 0
    full_resync: bool = False

    def as_summary(self) -> dict[str, Any]:
        return asdict(self)


def sync_users_delta(source: UsersDeltaSource, tenant_id: str,
                     expired: type[Exception]) -> SyncCounts:
    """Replay the stored delta link; when Graph says it expired, start a full round instead."""
    counts = SyncCounts()
    state = db.session.get(SyncState, DELTA_KEY)
    link = state.value if state else None
    try:
        _run_round(source, tenant_id, link, counts)
    except expired:
        db.session.rollback()
        counts.full_resync = True
        _run_round(source, tenant_id, None, counts)
    return counts


def _run_round(source: UsersDeltaSource, tenant_id: str, link: str | None,
               counts: SyncCounts) -> None:
    """One delta round. A round from scratch lists everyone, so whoever it missed is gone."""
    full_round = link is None
    seen: set[str] = set()
    for page in source.users_delta(link):
        counts.pages += 1
        present = apply_users_page(tenant_id, page.users, counts)
        if full_round:
            seen.update(present)
        if page.delta_link:
            _store_delta_link(page.delta_link)
        db.session.commit()
    if full_round:
        counts.deactivated += _mark_removed(tenant_id, _unseen_ids(tenant_id, seen))
        db.session.commit()


def _store_delta_link(link: str) -> None:
    state = db.session.get(SyncState, DELTA_KEY) or SyncState(key=DELTA_KEY)
    state.value = link  # verbatim: it encodes $select and the token; never rebuilt
    db.session.add(state)


def apply_users_page(tenant_id: str, users: Iterable[dict[str, Any]], counts: SyncCounts) -> set[str]:
    """Apply one page of users (changed or `@removed`); returns the ids present in Entra."""
    latest = {user["id"]: user for user in users}  # a page may repeat a user: the last wins
    removed = {oid for oid, user in latest.items() if "@removed" in user}
    present = latest.keys() - removed
    existing = _existing_rows(tenant_id, list(latest))

    rows: dict[str, dict[str, Any]] = {}
    now = utcnow()
    for oid in present:
        before = existing.get(oid)
        values = _merged_values(before, entra_values(latest[oid]))
        if is_resource_mailbox(values):
            if before is not None and before["entra_removed_at"] is None:
                removed.add(oid)  # listed as staff before: it leaves the directory and people screens
            continue
        if before is None:
            counts.created += 1
        elif before["entra_removed_at"] is None and all(before[c] == values[c] for c in ENTRA_COLUMNS):
            continue
        elif before["account_enabled"] and not values["account_enabled"]:
            counts.deactivated += 1
        else:
            counts.updated += 1
        rows[oid] = {**values, "tenant_id": tenant_id, "entra_oid": oid,
                     "entra_removed_at": None, "entra_synced_at": now}

    ids = _upsert(list(rows.values()))
    # The page holds everything a contact needs: no second read of the rows just written.
    upsert_contacts([
        contact_values({**NEW_EMPLOYEE, **existing.get(oid, {}), **rows[oid], "id": ids[oid]})
        for oid in rows
    ])
    newly_removed = [row["id"] for oid, row in existing.items()
                     if oid in removed and row["entra_removed_at"] is None]
    counts.deactivated += _mark_removed(tenant_id, newly_removed)
    return set(present)


def _existing_rows(tenant_id: str, oids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(oids), CHUNK):
        rows = db.session.execute(
            select(Employee.entra_oid, Employee.office_location, *SOURCE_COLUMNS).where(
                Employee.tenant_id == tenant_id, Employee.entra_oid.in_(id_list(oids[start:start + CHUNK]))
            )
        ).mappings()
        found.update({row["entra_oid"]: dict(row) for row in rows})
    return found


def _merged_values(before: dict[str, Any] | None, incoming: dict[str, Any]) -> dict[str, Any]:
    """Every Entra column: the incoming value where Graph sent one, else what we had."""
    values = {name: (before or {}).get(name) for name in ENTRA_COLUMNS}
    values.update(incoming)
    if values["account_enabled"] is None:
        values["account_enabled"] = True  # not reported means not disabled
    return values


def _upsert(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert or update the Entra columns only; returns the employee id of each oid."""
    if not rows:
        return {}
    table = Employee.__table__
    statement = dialect_insert(table)
    sync_owned = (*ENTRA_COLUMNS, "entra_removed_at", "entra_synced_at")
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.tenant_id, table.c.entra_oid],
        set_={name: statement.excluded[name] for name in sync_owned},
    ).returning(table.c.entra_oid, table.c.id)
    return {oid: employee_id for oid, employee_id in db.session.execute(statement, rows)}


def _unseen_ids(tenant_id: str, seen: set[str]) -> list[int]:
    rows = db.session.execute(
        select(Employee.id, Employee.entra_oid).where(
            Employee.tenant_id == tenant_id, Employee.entra_removed_at.is_(None)
        )
    )
    return [employee_id for employee_id, oid in rows if oid not in seen]


def _mark_removed(tenant_id: str, employee_ids: list[int]) -> int:
    """Deactivate employees Entra no longer lists; the rows stay, hidden from public pages."""
    now = utcnow()
    for start in range(0, len(employee_ids), CHUNK):
        db.session.execute(
            update(Employee)
            .where(Employee.tenant_id == tenant_id, Employee.id.in_(id_list(employee_ids[start:start + CHUNK])))
            .values(entra_removed_at=now),
            execution_options={"synchronize_session": False},
        )
    refresh_contacts(employee_ids)
    return len(employee_ids)
