"""Permission management: find a staff member, see their roles by module, grant and revoke."""
from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access import queries, scopes, services
from app.access.forms import DirectoryPersonForm, GrantForm, RevokeForm
from app.access.notices import last_day
from app.access.permissions import MissingPermission, requires
from app.access.registry import ROLES, RoleDefinition
from app.extensions import db, htmx
from app.graph import GraphError, users
from app.microsoft import graph_client
from app.people.models import Employee
from app.people.queries import page_number
from app.people.services import entra_values, is_resource_mailbox
from app.web.confirm import Confirmation, ask_first
from app.web.htmx import render_page_or_block, see_other

access_bp = Blueprint("access", __name__, url_prefix="/staff/access")
DIRECTORY_RESULTS = 10


def _directory_matches(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """People in Entra who have no Employee yet, for a search that found no one locally."""
    if len(text.strip()) < 2:
        return [], None
    try:
        found = []
        for user in users.search_users(graph_client(), text):
            if is_resource_mailbox(entra_values(user)):
                continue  # a room or shared mailbox, not a person
            found.append(user)
            if len(found) >= DIRECTORY_RESULTS * 2:
                break
    except GraphError as error:
        return [], f"The Entra directory could not be searched just now ({error.code})."
    known = set(db.session.scalars(select(Employee.entra_oid).where(Employee.entra_oid.in_([u["id"] for u in found]))))
    return [u for u in found if u["id"] not in known][:DIRECTORY_RESULTS], None


@access_bp.get("/")
@requires("platform.admin")
def people():
    text = request.args.get("q", "").strip()
    found = queries.search_employees(text, page_number(request.args.get("page")))
    directory, directory_error = _directory_matches(text) if text and not found.total else ([], None)
    return render_page_or_block(
        "access/people.html", "results", q=text, people=found, params={"q": text} if text else {},
        directory=directory,
        directory_error=directory_error, add_form=DirectoryPersonForm(),
    )


@access_bp.post("/people/from-directory")
@requires("platform.admin")
def add_from_directory():
    form = DirectoryPersonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        employee = services.add_from_directory(form.oid.data, current_user)
    except (services.AccessError, GraphError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return see_other(url_for("access.people"))
    return see_other(url_for("access.person", employee_id=employee.id))


def _person_context(employee: Employee, grant_form: GrantForm | None = None) -> dict[str, Any]:
    by_module, removals = queries.roles_of(employee)
    pending = any(row.sync.pending for rows in by_module.values() for row in rows) or any(
        r.sync.pending for r in removals)
    return {
        "person": employee, "by_module": by_module, "removals": removals, "pending": pending,
        "module_title": queries.module_title, "revoke_form": RevokeForm(),
        "grant_form": grant_form or GrantForm().with_choices(queries.grantable_roles(employee)),
        "grantable": queries.grantable_roles(employee),
        "scope_choices": {kind: scopes.choices(kind) for kind in scopes.KIND_TITLES},
        "in_tenant": services.writes_back(employee), "last_day": last_day, "revoke_consequence": revoke_consequence,
    }


@access_bp.get("/people/<int:employee_id>")
@requires("platform.admin")
def person(employee_id: int):
    employee = db.get_or_404(Employee, employee_id)
    return render_page_or_block("access/person.html", "roles", **_person_context(employee))


@access_bp.post("/people/<int:employee_id>/grant")
@requires("platform.admin")
def grant(employee_id: int):
    employee = db.get_or_404(Employee, employee_id)
    form = GrantForm().with_choices(queries.grantable_roles(employee))
    valid = form.validate_on_submit()
    scope = form.scope.data or ""
    until = form.until.data
    if valid:
        try:
            services.check_grant(form.role.data, scope, until)
        except services.AccessError as error:
            getattr(form, error.field or "scope").errors = [str(error)]
            valid = False
    if not valid:
        # htmx swaps only 2xx answers; a plain form post gets the 422 it should.
        status = 200 if htmx else 422
        return render_page_or_block("access/person.html", "roles", **_person_context(employee, form)), status
    ending = f" until the end of {last_day(services.end_of_day(until))}" if until else ""
    return _change(employee, lambda: services.grant_role(employee, form.role.data, current_user, scope, until),
                   f"{employee.display_name} now holds {_title(form.role.data, scope)}{ending}.")


@access_bp.post("/people/<int:employee_id>/revoke")
@requires("platform.admin")
def revoke(employee_id: int):
    employee = db.get_or_404(Employee, employee_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400, description="The role to remove is missing from the form. Reload the page and try again.")
    scope = form.scope.data or ""
    title = _title(form.role.data, scope)
    asked = ask_first(Confirmation(f"Remove {title} from {employee.display_name}?",
                                   revoke_consequence(title, employee.display_name), f"Remove {title}",
                                   url_for("access.person", employee_id=employee.id)))
    if asked:
        return asked
    return _change(employee, lambda: services.revoke_role(employee, form.role.data, current_user, scope),
                   f"{title} was removed from {employee.display_name}.")


def revoke_consequence(title: str, name: str) -> str:
    return (f"{name} loses what {title} allows at once and, where the role has an Entra group, is taken out "
            "of it. You can grant the role again later.")


def _change(employee: Employee, change: Callable[[], object], success: str) -> Response:
    try:
        change()
    except services.AccessError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(success, "success")
    return see_other(url_for("access.person", employee_id=employee.id))


def _title(qualified_name: str, scope: str = "") -> str:
    title = next((d.title for d in ROLES if d.qualified_name == qualified_name), qualified_name)
    return f"{title} for {scopes.label(scope)}" if scope else title


def _granting_roles(required: RoleDefinition) -> list[RoleDefinition]:
    module_roles = [d for d in ROLES if d.module == required.module]
    return module_roles[module_roles.index(required):]


def forbidden_page(error: MissingPermission) -> tuple[str, int]:
    """403 that says which role would grant access and who can grant it."""
    return render_template(
        "access/forbidden.html", required=error.role, granting=_granting_roles(error.role),
        scope_name=scopes.label(error.scope) if error.scope else "",
        admins=queries.platform_admins(), admin_group=services.mapping_for("platform", "admin"),
        module_title=queries.module_title,
    ), 403
