"""Who holds what: every role assignment with its scope, source and dates, for the screens and CSV."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access.models import RoleAssignment
from app.access.registry import ROLES, RoleDefinition, role
from app.access.scopes import label as scope_label
from app.extensions import db
from app.people.models import Employee


@dataclass(frozen=True)
class Holding:
    employee: Employee
    definition: RoleDefinition
    scope_name: str  # "" for the whole module
    source: str  # in words
    granted_at: datetime
    ends_at: datetime | None

    @property
    def held_for(self) -> str:
        return self.scope_name or "The whole module"


def _source(assignment: RoleAssignment) -> str:
    if assignment.source == "manual":
        by = f" by {assignment.granted_by.display_name}" if assignment.granted_by else ""
        return f"Granted in MyGov{by}"
    if assignment.seed_rule is not None:
        return f"Seeded from Entra: rule “{assignment.seed_rule.match_label}”"
    return "Seeded from Entra: the role's group"


def holdings(qualified_name: str = "") -> list[Holding]:
    """Every assignment (or those of one role), by role, then scope, then person."""
    query = select(RoleAssignment).options(
        selectinload(RoleAssignment.employee), selectinload(RoleAssignment.granted_by),
        selectinload(RoleAssignment.seed_rule))
    if qualified_name:
        definition = role(qualified_name)
        query = query.where(RoleAssignment.module_key == definition.module, RoleAssignment.role_key == definition.key)
    order = {(d.module, d.key): number for number, d in enumerate(ROLES)}
    rows = [Holding(a.employee, role(f"{a.module_key}.{a.role_key}"), scope_label(a.scope) if a.scope else "",
                    _source(a), a.granted_at, a.ends_at)
            for a in db.session.scalars(query) if (a.module_key, a.role_key) in order]
    return sorted(rows, key=lambda h: (order[(h.definition.module, h.definition.key)], h.scope_name.lower(),
                                       h.employee.display_name.lower()))


def by_person(rows: list[Holding]) -> list[tuple[Employee, dict[str, list[Holding]]]]:
    """The person × role view: each holder with their holdings by role."""
    people: dict[int, tuple[Employee, dict[str, list[Holding]]]] = {}
    for holding in rows:
        _, roles = people.setdefault(holding.employee.id, (holding.employee, {}))
        roles.setdefault(holding.definition.qualified_name, []).append(holding)
    return sorted(people.values(), key=lambda item: item[0].display_name.lower())
