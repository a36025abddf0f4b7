"""EmployeeContact: the public-facing values, each the override if set, else the Entra value.

Contacts are recomputed in bulk from the employee rows whenever either side changes (a sync
page, a staff edit, a photo), so the public pages read one table and never mix the layers.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import BindParameter, Table, bindparam, select

from app.extensions import db
from app.people.models import Employee, EmployeeContact
from app.sqltypes import utcnow

CHUNK = 500

SOURCE_COLUMNS = (
    Employee.id, Employee.legal_name, Employee.given_name, Employee.surname, Employee.mail,
    Employee.upn, Employee.job_title, Employee.department, Employee.business_phone,
    Employee.account_enabled, Employee.entra_removed_at, Employee.entra_photo_path,
    Employee.display_name_override, Employee.public_title_override,
    Employee.public_phone_override, Employee.public_email_override,
    Employee.photo_override_path, Employee.show_publicly,
)


def dialect_insert(table: Table) -> Any:
    """INSERT with ON CONFLICT for the session's database (PostgreSQL or SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def fold(text: str) -> str:
    """Lower case without accents, so "jose" finds "José"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def effective_display_name(row: Mapping[str, Any]) -> str:
    full_name = " ".join(part for part in (row["given_name"], row["surname"]) if part)
    return (
        row["display_name_override"] or row["legal_name"] or full_name
        or row["mail"] or row["upn"] or "City employee"
    )


def contact_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """The contact columns for one employee row (a mapping of SOURCE_COLUMNS)."""
    display_name = effective_display_name(row)
    title = row["public_title_override"] or row["job_title"]
    department = row["department"]
    active = row["account_enabled"] and row["entra_removed_at"] is None
    return {
        "employee_id": row["id"],
        "display_name": display_name,
        "public_title": title,
        "department": department,
        "public_phone": row["public_phone_override"] or row["business_phone"],
        "public_email": row["public_email_override"] or row["mail"],
        "photo_path": row["photo_override_path"] or row["entra_photo_path"],
        "is_public": bool(row["show_publicly"] and active),
        # Public values only: a legal name hidden by an override must not be findable.
        "search_text": fold(" ".join(v for v in (display_name, title, department) if v)),
        "updated_at": utcnow(),
    }


def id_list(values: list[Any]) -> BindParameter[Any]:
    """An IN list rendered as constants: PostgreSQL then hashes it instead of comparing each row
    with every bound parameter in turn, which made large pages quadratic."""
    return bindparam("ids", value=values, expanding=True, literal_execute=True)


def refresh_contacts(employee_ids: Iterable[int]) -> int:
    """Recompute the contacts of these employees with one read and one upsert per chunk."""
    ids = list(dict.fromkeys(employee_ids))
    for start in range(0, len(ids), CHUNK):
        rows = db.session.execute(
            select(*SOURCE_COLUMNS).where(Employee.id.in_(id_list(ids[start:start + CHUNK])))
        ).mappings()
        upsert_contacts([contact_values(row) for row in rows])
    return len(ids)


def upsert_contacts(values: list[dict[str, Any]]) -> None:
    if not values:
        return
    table = EmployeeContact.__table__
    statement = dialect_insert(table)
    updated = {name: statement.excluded[name] for name in values[0] if name != "employee_id"}
    db.session.execute(
        statement.on_conflict_do_update(index_elements=[table.c.employee_id], set_=updated), values
    )
