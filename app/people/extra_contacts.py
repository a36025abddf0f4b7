"""Extra contacts staff add to an employee: phone numbers, email addresses, office hours, each
with its own public/private switch (the public directory shows only the public ones)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.people.models import Employee, EmployeeExtraContact
from app.people.validation import InvalidValue, normalize_email, normalize_phone, normalize_text

KIND_TITLES = {"phone": "Phone", "email": "Email", "hours": "Office hours"}
MAX_PER_EMPLOYEE = 10
MAX_LABEL = 64
MAX_HOURS = 200


def _audit(actor: Employee, employee: Employee, action: str, before: dict | None, after: dict | None) -> None:
    db.session.add(AuditEntry(actor_id=actor.id, actor_label=actor.display_name, action=action,
                              target_type="employee", target_id=str(employee.id), before=before, after=after))


def _value(kind: str, raw: str) -> str:
    if kind == "phone":
        return normalize_phone(raw)
    if kind == "email":
        return normalize_email(raw)
    text = normalize_text(raw, "Office hours")
    if not text:
        raise InvalidValue("Write the office hours, e.g. Monday to Friday, 8 AM to noon.")
    if len(text) > MAX_HOURS:
        raise InvalidValue(f"Keep the office hours to {MAX_HOURS} characters or fewer.")
    return text


def contacts_of(employee: Employee) -> list[EmployeeExtraContact]:
    return list(db.session.scalars(select(EmployeeExtraContact).where(
        EmployeeExtraContact.employee_id == employee.id).order_by(EmployeeExtraContact.id)))


def public_contacts(employee_ids: Iterable[int]) -> dict[int, list[EmployeeExtraContact]]:
    """The public extra contacts of these employees (for one directory page)."""
    found: dict[int, list[EmployeeExtraContact]] = defaultdict(list)
    ids = list(employee_ids)
    if ids:
        for contact in db.session.scalars(select(EmployeeExtraContact).where(
                EmployeeExtraContact.employee_id.in_(ids), EmployeeExtraContact.is_public.is_(True))
                .order_by(EmployeeExtraContact.id)):
            found[contact.employee_id].append(contact)
    return found


def add_contact(actor: Employee, employee: Employee, kind: str, label: str, raw_value: str,
                is_public: bool) -> dict[str, str]:
    """Add one contact and commit; or return the error of each field and change nothing."""
    errors: dict[str, str] = {}
    if kind not in KIND_TITLES:
        errors["contact_kind"] = "Choose a phone number, an email address or office hours."
    try:
        label = normalize_text(label, "Label")
        if not label:
            errors["contact_label"] = "Give it a label, e.g. Mobile, Front desk or Summer hours."
        elif len(label) > MAX_LABEL:
            errors["contact_label"] = f"Keep the label to {MAX_LABEL} characters or fewer."
    except InvalidValue as invalid:
        errors["contact_label"] = str(invalid)
    if kind in KIND_TITLES:
        try:
            value = _value(kind, raw_value)
        except InvalidValue as invalid:
            errors["contact_value"] = str(invalid)
    if len(contacts_of(employee)) >= MAX_PER_EMPLOYEE:
        errors["contact_value"] = f"An employee can have {MAX_PER_EMPLOYEE} extra contacts; remove one first."
    if errors:
        return errors
    contact = EmployeeExtraContact(employee_id=employee.id, kind=kind, label=label, value=value, is_public=is_public)
    db.session.add(contact)
    _audit(actor, employee, "employee.contact_add", None,
           {"kind": KIND_TITLES[kind], "label": label, "value": value, "public": is_public})
    db.session.commit()
    return {}


def set_public(actor: Employee, contact: EmployeeExtraContact, is_public: bool) -> None:
    employee = db.session.get(Employee, contact.employee_id)
    _audit(actor, employee, "employee.contact_visibility", {"label": contact.label, "public": contact.is_public},
           {"label": contact.label, "public": is_public})
    contact.is_public = is_public
    db.session.commit()


def remove_contact(actor: Employee, contact: EmployeeExtraContact) -> None:
    employee = db.session.get(Employee, contact.employee_id)
    _audit(actor, employee, "employee.contact_remove",
           {"kind": KIND_TITLES[contact.kind], "label": contact.label, "value": contact.value}, None)
    db.session.delete(contact)
    db.session.commit()
