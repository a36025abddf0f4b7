"""Operations on employees: Entra seeding of one user, and the override layer staff edit."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.people.contacts import refresh_contacts
from app.people.models import Employee
from app.people.validation import InvalidValue, normalize_email, normalize_phone, normalize_text
from app.sqltypes import utcnow
from app.web.images import ImageRefused, store_upload

# Graph user property -> Employee column, for the Entra-seeded fields only.
GRAPH_FIELDS = {
    "userPrincipalName": "upn",
    "mail": "mail",
    "displayName": "legal_name",
    "givenName": "given_name",
    "surname": "surname",
    "jobTitle": "job_title",
    "department": "department",
    "officeLocation": "office_location",
    "accountEnabled": "account_enabled",
}


def entra_values(user: dict[str, Any]) -> dict[str, Any]:
    """The Employee columns a Graph user object sets. Override columns are never among them."""
    values = {column: user.get(prop) for prop, column in GRAPH_FIELDS.items() if prop in user}
    if "businessPhones" in user:
        phones = user.get("businessPhones") or []
        values["business_phone"] = phones[0] if phones else None
    return values


def is_resource_mailbox(values: dict[str, Any]) -> bool:
    """Room and shared mailboxes are directory users in Entra, listed in `/users` and its delta like
    staff: a disabled sign-in with neither a given name nor a surname. They are not people.
    `values` are Employee columns, as `entra_values` gives them."""
    return values.get("account_enabled") is False and not values.get("given_name") and not values.get("surname")


def upsert_employee_from_graph(tenant_id: str, user: dict[str, Any]) -> bool:
    """Create or update one employee from a Graph user; True when it was created."""
    employee = db.session.scalar(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.entra_oid == user["id"])
    )
    created = employee is None
    if employee is None:
        employee = Employee(tenant_id=tenant_id, entra_oid=user["id"])
        db.session.add(employee)
    for column, value in entra_values(user).items():
        setattr(employee, column, value)
    employee.entra_synced_at = utcnow()
    db.session.flush()
    refresh_contacts([employee.id])
    return created


@dataclass(frozen=True)
class OverrideField:
    """One value the public site shows: the Entra column it seeds from and MyGov's override."""

    key: str
    label: str
    entra_column: str
    override_column: str
    normalize: Callable[[str], str]
    hint: str


OVERRIDE_FIELDS: tuple[OverrideField, ...] = (
    OverrideField("display_name", "Display name", "legal_name", "display_name_override",
                  lambda raw: normalize_text(raw, "Display name"), "The name the public sees."),
    OverrideField("public_title", "Public title", "job_title", "public_title_override",
                  lambda raw: normalize_text(raw, "Public title"), "For example, Library Director."),
    OverrideField("public_phone", "Public phone", "business_phone", "public_phone_override",
                  normalize_phone, "May be a department line, e.g. (334) 501-3000."),
    OverrideField("public_email", "Public email", "mail", "public_email_override",
                  normalize_email, "May be a department mailbox, e.g. parks@auburnal.gov."),
)
FIELDS_BY_KEY = {field.key: field for field in OVERRIDE_FIELDS}


def record_change(actor: Employee, action: str, employee: Employee,
                  before: dict[str, Any], after: dict[str, Any]) -> None:
    db.session.add(AuditEntry(
        actor_id=actor.id, actor_label=actor.display_name, action=action,
        target_type="employee", target_id=str(employee.id), before=before, after=after,
    ))


def _apply(actor: Employee, employee: Employee, action: str, changes: dict[str, Any]) -> bool:
    """Set the changed columns, audit them and refresh the contact; False when nothing changed."""
    changed = {column: value for column, value in changes.items() if getattr(employee, column) != value}
    if not changed:
        return False
    before = {column: getattr(employee, column) for column in changed}
    for column, value in changed.items():
        setattr(employee, column, value)
    record_change(actor, action, employee, before, changed)
    db.session.flush()
    refresh_contacts([employee.id])
    db.session.commit()
    return True


def set_department_visibility(actor: Employee, department: str, show: bool) -> int | None:
    """Show or hide everyone of a department in the public directory at once, each audited.
    Returns how many changed, or None when no employee belongs to that department."""
    members = db.session.scalars(select(Employee).where(Employee.department == department)).all()
    if not members:
        return None
    changed = [employee for employee in members if employee.show_publicly != show]
    for employee in changed:
        record_change(actor, "employee.department_visibility", employee,
                      {"show_publicly": employee.show_publicly}, {"show_publicly": show})
        employee.show_publicly = show
    db.session.flush()
    refresh_contacts([employee.id for employee in changed])
    db.session.commit()
    return len(changed)


def update_overrides(actor: Employee, employee: Employee, submitted: dict[str, str],
                     show_publicly: bool) -> dict[str, str]:
    """Validate every field first; on any error change nothing and return the messages by field.

    An empty field means "use the Entra value".
    """
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {"show_publicly": show_publicly}
    for field in OVERRIDE_FIELDS:
        raw = submitted.get(field.key, "").strip()
        try:
            changes[field.override_column] = field.normalize(raw) if raw else None
        except InvalidValue as refused:
            errors[field.key] = str(refused)
    if not errors:
        _apply(actor, employee, "employee.update", changes)
    return errors


def clear_override(actor: Employee, employee: Employee, key: str) -> None:
    """Use the Entra value for this field again."""
    _apply(actor, employee, "employee.use_entra_value", {FIELDS_BY_KEY[key].override_column: None})


def set_photo_override(actor: Employee, employee: Employee, data: bytes) -> str | None:
    """Store an uploaded photo as the employee's override; returns a message when refused."""
    try:
        name = store_upload(data)
    except ImageRefused as refused:
        return str(refused)
    _apply(actor, employee, "employee.photo_upload", {"photo_override_path": name})
    return None


def clear_photo_override(actor: Employee, employee: Employee) -> None:
    _apply(actor, employee, "employee.use_entra_photo", {"photo_override_path": None})
