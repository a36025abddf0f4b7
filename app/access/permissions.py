"""Permission checks: every staff route declares what it needs with @requires."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from app.access.models import RoleAssignment
from app.access.registry import ROLES, RoleDefinition, role
from app.access.scopes import WHOLE_MODULE
from app.extensions import db, login_manager
from app.people.models import Employee

View = TypeVar("View", bound=Callable[..., Any])
SIGNED_IN = "signed-in"  # any signed-in staff member: pages every employee may see


class MissingPermission(Forbidden):
    """403 naming the role (and scope) that would grant access; the error page lists who can grant it."""

    def __init__(self, qualified_name: str, scope: str | None = None) -> None:
        super().__init__(description=qualified_name)
        self.role = role(qualified_name)
        self.scope = scope or ""


def _rank(definition: RoleDefinition) -> int:
    """Roles are registered weakest first within a module; a stronger role includes a weaker one."""
    module_roles = [r for r in ROLES if r.module == definition.module]
    return module_roles.index(definition)


def includes(held: str, required: str) -> bool:
    """Does holding role `held` give role `required`? (same module, at least as strong)"""
    held_role, required_role = role(held), role(required)
    return held_role.module == required_role.module and _rank(held_role) >= _rank(required_role)


def _held(employee: Employee, required: RoleDefinition) -> list[str]:
    """The scopes ("" = whole module) for which the employee holds this role or a stronger one."""
    rows = db.session.execute(
        select(RoleAssignment.role_key, RoleAssignment.scope).where(
            RoleAssignment.employee_id == employee.id, RoleAssignment.module_key == required.module,
        )
    ).all()
    return [scope for key, scope in rows if includes(f"{required.module}.{key}", required.qualified_name)]


def can(employee: Employee, qualified_name: str, scope: str | None = None) -> bool:
    """May the employee act as this role?

    With `scope` (built by app/access/scopes.py, e.g. `scopes.facility(3)`): only if they hold the
    role (or a stronger one of the module) for the whole module or for that scope. Without it: if
    they hold it for anything, which is what lets them reach a list that is then narrowed with
    `scopes_for`.
    """
    if qualified_name == SIGNED_IN:
        return True
    held = _held(employee, role(qualified_name))
    if scope is None:
        return bool(held)
    return WHOLE_MODULE in held or scope in held


has_role = can


def scopes_for(employee: Employee, qualified_name: str) -> set[str] | None:
    """None when the role is held for the whole module; else the scopes it is held for (maybe none)."""
    held = _held(employee, role(qualified_name))
    return None if WHOLE_MODULE in held else set(held)


def within(held: set[str] | None, scope: str) -> bool:
    """Is `scope` covered by what `scopes_for` returned (None: the whole module)?"""
    return held is None or scope in held


def ensure(employee: Employee, qualified_name: str, scope: str) -> None:
    """Refuse (403 naming role and scope) unless `can(employee, qualified_name, scope)`."""
    if not can(employee, qualified_name, scope):
        raise MissingPermission(qualified_name, scope)


def requires(qualified_name: str) -> Callable[[View], View]:
    """Refuse the view unless the signed-in employee holds this role (or a stronger one) for anything.

    A view on one facility, calendar or employee then calls `ensure(current_user, role, scope)`.

    `requires(SIGNED_IN)` declares a page for every signed-in staff member.
    """
    if qualified_name != SIGNED_IN:
        role(qualified_name)  # fail at import time on a typo

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_role(current_user, qualified_name):
                raise MissingPermission(qualified_name)
            return view(*args, **kwargs)

        wrapped.required_permission = qualified_name  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
