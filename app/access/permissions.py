"""Permission checks: every staff route declares what it needs with @requires."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from app.access.models import RoleAssignment
from app.access.registry import ROLES, RoleDefinition, role
from app.extensions import db, login_manager
from app.people.models import Employee

View = TypeVar("View", bound=Callable[..., Any])
SIGNED_IN = "signed-in"  # any signed-in staff member: pages every employee may see


class MissingPermission(Forbidden):
    """403 naming the role that would grant access (the error page lists who can grant it)."""

    def __init__(self, qualified_name: str) -> None:
        super().__init__(description=qualified_name)
        self.role = role(qualified_name)


def _rank(definition: RoleDefinition) -> int:
    """Roles are registered weakest first within a module; a stronger role includes a weaker one."""
    module_roles = [r for r in ROLES if r.module == definition.module]
    return module_roles.index(definition)


def has_role(employee: Employee, qualified_name: str) -> bool:
    if qualified_name == SIGNED_IN:
        return True
    required = role(qualified_name)
    held = db.session.scalars(
        select(RoleAssignment.role_key).where(
            RoleAssignment.employee_id == employee.id,
            RoleAssignment.module_key == required.module,
        )
    ).all()
    return any(_rank(role(f"{required.module}.{key}")) >= _rank(required) for key in held)


def requires(qualified_name: str) -> Callable[[View], View]:
    """Refuse the view unless the signed-in employee holds this role (or a stronger one).

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
