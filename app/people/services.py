"""Operations on employees."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.people.models import Employee
from app.sqltypes import utcnow

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
    return created
