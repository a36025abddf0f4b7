"""Employee screens for staff (employees.editor) and the public staff directory."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from typing import Any

from flask import (
    Blueprint, Response, abort, flash, render_template, request, url_for,
)
from flask_login import current_user
from sqlalchemy import select

from app.access.models import AuditEntry
from app.access import scopes
from app.access.permissions import ensure, requires, scopes_for
from app.extensions import db
from app.people import extra_contacts, services
from app.web.images import image_response, read_upload, readable_size, upload_limit
from app.people.models import Employee, EmployeeContact, EmployeeExtraContact
from app.people.queries import (
    all_matching_employees, employee_departments, page_number, public_departments, public_photo_in_use,
    search_directory, search_employees,
)
from app.people.validation import phone_href
from app.web.csv_export import csv_response
from app.web.htmx import render_page_or_block, see_other

employees_bp = Blueprint("employees", __name__, url_prefix="/staff/employees")
directory_bp = Blueprint("directory", __name__, url_prefix="/directory")
EDITOR = "employees.editor"



@directory_bp.app_template_filter("tel_href")
def tel_href(value: str | None) -> str | None:
    return phone_href(value)


def _search_params(**params: str) -> dict[str, str]:
    """Only the filters in use, so pagination links stay short."""
    return {name: value for name, value in params.items() if value}


@dataclass
class DepartmentGroup:
    department: str | None
    contacts: list[EmployeeContact]


# --- public -------------------------------------------------------------------------------


@directory_bp.get("/")
def index() -> Response:
    query = request.args.get("q", "").strip()
    department = request.args.get("department", "").strip()
    results = search_directory(query, department, page_number(request.args.get("page")))
    searched = bool(query or department)
    groups = [
        DepartmentGroup(name, list(contacts))
        for name, contacts in groupby(results.items, key=attrgetter("department"))
    ]
    return render_page_or_block(
        "people/directory.html", "results",
        extras=extra_contacts.public_contacts(c.employee_id for c in results.items),
        contact_kinds=extra_contacts.KIND_TITLES,
        query=query, department=department, departments=public_departments(), results=results,
        groups=groups, params=_search_params(q=query, department=department), searched=searched,
    )


@directory_bp.get("/photos/<name>")
def public_photo(name: str) -> Response:
    if not public_photo_in_use(name):
        abort(404)
    return image_response(name)


# --- staff --------------------------------------------------------------------------------


@employees_bp.get("/")
@requires("employees.editor")
def list_employees() -> Response:
    query = request.args.get("q", "").strip()
    results = search_employees(query, page_number(request.args.get("page")), _editable_departments())
    return render_page_or_block(
        "people/staff_list.html", "results",
        query=query, results=results, params=_search_params(q=query), departments=employee_departments(),
        department_error=None,
    )


def _editable_departments() -> set[str] | None:
    """The departments the signed-in editor may edit; None: every one."""
    allowed = scopes_for(current_user, EDITOR)
    return None if allowed is None else {scopes.value_of(s) for s in allowed}


@employees_bp.get("/employees.csv")
@requires(EDITOR)
def export_employees() -> Response:
    """The employees the search finds (those the editor may edit), with their public values."""
    rows = all_matching_employees(request.args.get("q", "").strip(), _editable_departments())
    return csv_response("mygov-employees.csv", (
        "Name", "Email", "Job title", "Department", "Office", "Phone", "Entra account", "Public directory",
        "Public name", "Public title", "Public phone", "Public email",
    ), ((e.display_name, e.mail or e.upn or "", e.job_title or "", e.department or "", e.office_location or "",
         e.business_phone or "", "Enabled" if e.account_enabled else "Disabled", "Shown" if e.show_publicly else "Hidden",
         *((e.contact.display_name, e.contact.public_title or "", e.contact.public_phone or "", e.contact.public_email or "")
           if e.contact else ("", "", "", "")))
        for e in rows))


@employees_bp.post("/department-visibility")
@requires("employees.editor")
def department_visibility() -> Response | tuple[str, int]:
    department = request.form.get("department", "").strip()
    ensure(current_user, EDITOR, scopes.department(department))
    show = request.form.get("show") == "yes"
    changed = services.set_department_visibility(current_user, department, show)
    if changed is None:
        results = search_employees("", 1)
        return render_template(
            "people/staff_list.html", query="", results=results, params={}, departments=employee_departments(),
            department_error="Choose a department from the list.",
        ), 422
    where = "now shown in" if show else "now hidden from"
    if changed:
        people = "1 person" if changed == 1 else f"{changed} people"
        flash(f"{people} in {department} {'is' if changed == 1 else 'are'} {where} the public directory.", "success")
    else:
        flash(f"Everyone in {department} was already {'shown in' if show else 'hidden from'} the public directory.",
              "info")
    return see_other(url_for("employees.list_employees"))


def _employee(employee_id: int) -> Employee:
    """The employee, if the signed-in editor may edit their department (else 403)."""
    employee = db.session.get(Employee, employee_id) or abort(404)
    ensure(current_user, EDITOR, scopes.department(employee.department or ""))
    return employee


def _render_employee(employee: Employee, status: int = 200, errors: dict[str, str] | None = None,
                     submitted: dict[str, Any] | None = None,
                     contact_submitted: dict[str, Any] | None = None) -> tuple[str, int]:
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "employee", AuditEntry.target_id == str(employee.id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(10)
    ).all()
    return render_template(
        "people/staff_employee.html", employee=employee, fields=services.OVERRIDE_FIELDS,
        errors=errors or {}, submitted=submitted, history=history,
        extra_contacts=extra_contacts.contacts_of(employee), contact_kinds=extra_contacts.KIND_TITLES,
        contact_submitted=contact_submitted or {},
        max_photo_size=readable_size(upload_limit()),
    ), status


@employees_bp.get("/<int:employee_id>")
@requires("employees.editor")
def show_employee(employee_id: int) -> tuple[str, int]:
    return _render_employee(_employee(employee_id))


@employees_bp.post("/<int:employee_id>")
@requires("employees.editor")
def update_employee(employee_id: int) -> Response | tuple[str, int]:
    employee = _employee(employee_id)
    submitted = {field.key: request.form.get(field.key, "") for field in services.OVERRIDE_FIELDS}
    show_publicly = request.form.get("show_publicly") == "yes"
    errors = services.update_overrides(current_user, employee, submitted, show_publicly)
    if errors:
        submitted["show_publicly"] = show_publicly
        return _render_employee(employee, 422, errors, submitted)
    flash(f"Saved the public details of {employee.display_name}.", "success")
    return see_other(url_for("employees.show_employee", employee_id=employee.id))


def _contact(employee_id: int, contact_id: int) -> EmployeeExtraContact:
    employee = _employee(employee_id)
    contact = db.session.get(EmployeeExtraContact, contact_id)
    if contact is None or contact.employee_id != employee.id:
        abort(404)
    return contact


@employees_bp.post("/<int:employee_id>/contacts")
@requires(EDITOR)
def add_contact(employee_id: int) -> Response | tuple[str, int]:
    employee = _employee(employee_id)
    submitted = {name: request.form.get(name, "") for name in ("contact_kind", "contact_label", "contact_value")}
    is_public = request.form.get("contact_public") == "yes"
    errors = extra_contacts.add_contact(current_user, employee, submitted["contact_kind"], submitted["contact_label"],
                                        submitted["contact_value"], is_public)
    if errors:
        return _render_employee(employee, 422, errors, contact_submitted={**submitted, "contact_public": is_public})
    flash(f"Added the contact “{submitted['contact_label'].strip()}”.", "success")
    return see_other(url_for("employees.show_employee", employee_id=employee.id) + "#contacts-heading")


@employees_bp.post("/<int:employee_id>/contacts/<int:contact_id>/<any(public, private, remove):verb>")
@requires(EDITOR)
def change_contact(employee_id: int, contact_id: int, verb: str) -> Response:
    contact = _contact(employee_id, contact_id)
    if verb == "remove":
        extra_contacts.remove_contact(current_user, contact)
        flash(f"Removed the contact “{contact.label}”.", "success")
    else:
        extra_contacts.set_public(current_user, contact, verb == "public")
        shown = "is shown in the public directory" if verb == "public" else "is kept private"
        flash(f"“{contact.label}” {shown}.", "success")
    return see_other(url_for("employees.show_employee", employee_id=employee_id) + "#contacts-heading")


@employees_bp.post("/<int:employee_id>/use-entra/<field>")
@requires("employees.editor")
def use_entra_value(employee_id: int, field: str) -> Response:
    employee = _employee(employee_id)
    if field not in services.FIELDS_BY_KEY:
        abort(404)
    services.clear_override(current_user, employee, field)
    label = services.FIELDS_BY_KEY[field].label
    flash(f"{label} now uses the Entra value.", "success")
    return see_other(url_for("employees.show_employee", employee_id=employee.id))


@employees_bp.post("/<int:employee_id>/photo")
@requires("employees.editor")
def upload_photo(employee_id: int) -> Response | tuple[str, int]:
    employee = _employee(employee_id)
    refused = services.set_photo_override(current_user, employee, read_upload(request.files.get("photo")))
    if refused:
        return _render_employee(employee, 422, {"photo": refused})
    flash("The uploaded photo is now shown instead of the Entra photo.", "success")
    return see_other(url_for("employees.show_employee", employee_id=employee.id))


@employees_bp.post("/<int:employee_id>/photo/use-entra")
@requires("employees.editor")
def use_entra_photo(employee_id: int) -> Response:
    employee = _employee(employee_id)
    services.clear_photo_override(current_user, employee)
    flash("The Entra photo is shown again.", "success")
    return see_other(url_for("employees.show_employee", employee_id=employee.id))


@employees_bp.get("/photos/<name>")
@requires("employees.editor")
def staff_photo(name: str) -> Response:
    return image_response(name)
