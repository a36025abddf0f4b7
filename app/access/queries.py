"""Read-only questions the permission screens ask: people, their roles and sync state, the audit log."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, String, cast, func, or_, select

from app.access.models import AuditEntry, GroupMapping, RoleAssignment
from app.access.permissions import includes
from app.access.registry import MODULES, ROLES, RoleDefinition, role
from app.access.scopes import WHOLE_MODULE
from app.access.scopes import label as scope_label
from app.access.services import MEMBERSHIP_KINDS, membership_target, writes_back
from app.extensions import db
from app.jobs.models import GraphOperation
from app.people.models import Employee
from app.people.queries import ResultPage, paginate
from app.web.params import BadDate, parse_date_param

AUDIT_PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 25
UNFINISHED = ("pending", "running", "failed", "dead")


@dataclass(frozen=True)
class SyncState:
    state: str  # synced | pending | failed | unsynced | unmapped | elsewhere
    label: str
    error: str | None = None
    operation_id: int | None = None

    @property
    def pending(self) -> bool:
        return self.state == "pending"


@dataclass(frozen=True)
class RoleRow:
    definition: RoleDefinition
    assignment: RoleAssignment
    sync: SyncState
    scope_name: str = ""  # the facility, calendar or department; "" for the whole module


@dataclass(frozen=True)
class PendingRemoval:
    definition: RoleDefinition
    group_name: str
    sync: SyncState


def search_employees(text: str, page: int = 1) -> ResultPage[Employee]:
    words = [w for w in text.lower().split() if w]
    if not words:
        return ResultPage([], 1, 0, SEARCH_PAGE_SIZE)
    query = select(Employee)
    for word in words:
        pattern = f"%{word}%"
        query = query.where(or_(
            func.lower(Employee.legal_name).like(pattern), func.lower(Employee.display_name_override).like(pattern),
            func.lower(Employee.mail).like(pattern), func.lower(Employee.upn).like(pattern),
        ))
    return paginate(query.order_by(Employee.legal_name, Employee.id), page, SEARCH_PAGE_SIZE)


def _state_of(operation: GraphOperation | None, adding: bool) -> SyncState:
    if operation is None:
        return SyncState("unsynced", "Not written to Entra yet: check the groups") if adding else SyncState(
            "synced", "Removed from the Entra group")
    verb = "Adding to" if adding else "Removing from"
    if operation.status in ("pending", "running"):
        waiting = f" (attempt {operation.attempts + 1})" if operation.attempts else ""
        return SyncState("pending", f"{verb} the Entra group{waiting}", operation_id=operation.id)
    if operation.status in ("failed", "dead"):
        error = f"{operation.last_error_code}: {operation.last_error_message}"
        return SyncState("failed", f"{verb} the Entra group failed", error, operation.id)
    if operation.status == "done":
        return SyncState("synced", "In the Entra group" if adding else "Removed from the Entra group",
                         operation_id=operation.id)
    return SyncState("unsynced", "The change to the Entra group was cancelled", operation_id=operation.id)


def _latest_operations(targets: list[str]) -> dict[str, GraphOperation]:
    latest: dict[str, GraphOperation] = {}
    if not targets:
        return latest
    rows = db.session.scalars(
        select(GraphOperation).where(
            GraphOperation.target_type == "group_membership", GraphOperation.target_id.in_(targets),
            GraphOperation.kind.in_(MEMBERSHIP_KINDS),
        ).order_by(GraphOperation.id)
    )
    for operation in rows:
        latest[operation.target_id] = operation
    return latest


def roles_of(employee: Employee) -> tuple[dict[str, list[RoleRow]], list[PendingRemoval]]:
    """The person's roles by module (each scope its own row) with Entra sync state, and removals under way."""
    mappings = {(m.module_key, m.role_key, m.scope): m for m in db.session.scalars(select(GroupMapping))}
    assignments = {(a.module_key, a.role_key, a.scope): a for a in db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.employee_id == employee.id))}
    in_tenant = writes_back(employee)
    targets = {key: membership_target(m.group_object_id, employee.entra_oid)
               for key, m in mappings.items() if m.group_object_id}
    latest = _latest_operations(list(targets.values()))
    by_module: dict[str, list[RoleRow]] = {}
    removals: list[PendingRemoval] = []
    order = {(d.module, d.key): number for number, d in enumerate(ROLES)}
    for key in sorted(set(assignments) | set(mappings), key=lambda k: (order.get(k[:2], 99), scope_label(k[2]))):
        if key[:2] not in order:
            continue
        definition = role(f"{key[0]}.{key[1]}")
        operation = latest.get(targets.get(key, ""))
        assignment = assignments.get(key)
        if assignment is None:
            if operation is not None and operation.kind == "remove_group_member" and operation.status in UNFINISHED:
                removals.append(PendingRemoval(definition, mappings[key].group_name, _state_of(operation, False)))
            continue
        if key not in targets:
            sync = SyncState("unmapped", "No Entra group is mapped to this role")
        elif not in_tenant:
            sync = SyncState("elsewhere", "Signed in from another tenant: no Entra group to write")
        elif operation is None and assignment.source == "entra-seed":
            sync = SyncState("synced", "In the Entra group (seeded from it)")
        else:
            adding = operation is None or operation.kind == "add_group_member"
            sync = _state_of(operation, adding) if adding else SyncState(
                "unsynced", "Removed from the Entra group: check the groups", operation_id=operation.id)
        by_module.setdefault(definition.module, []).append(
            RoleRow(definition, assignment, sync, scope_label(assignment.scope) if assignment.scope else ""))
    return by_module, removals


def grantable_roles(employee: Employee) -> list[RoleDefinition]:
    """Roles held for a facility, calendar or department may be granted again for another one."""
    held = set(db.session.execute(select(RoleAssignment.module_key, RoleAssignment.role_key).where(
        RoleAssignment.employee_id == employee.id, RoleAssignment.scope == WHOLE_MODULE)).all())
    return [d for d in ROLES if (d.module, d.key) not in held]


def holders(qualified_name: str, scope: str | None = None) -> list[Employee]:
    """Enabled employees who may act as this role for `scope` (e.g. `scopes.facility(3)`): they hold
    it, or a stronger role of the module, for the whole module or for that scope. Without a scope:
    those who hold it for the whole module. Ordered by name."""
    rows = db.session.execute(
        select(Employee, RoleAssignment.role_key, RoleAssignment.scope)
        .join(RoleAssignment, RoleAssignment.employee_id == Employee.id)
        .where(RoleAssignment.module_key == role(qualified_name).module, Employee.account_enabled.is_(True))
    ).all()
    wanted = {WHOLE_MODULE, scope or WHOLE_MODULE}
    found = {employee.id: employee for employee, role_key, held_scope in rows
             if held_scope in wanted and includes(f"{role(qualified_name).module}.{role_key}", qualified_name)}
    return sorted(found.values(), key=lambda e: (e.display_name.lower(), e.id))


def platform_admins() -> list[Employee]:
    return list(db.session.scalars(
        select(Employee).join(RoleAssignment, RoleAssignment.employee_id == Employee.id).where(
            RoleAssignment.module_key == "platform", RoleAssignment.role_key == "admin",
            Employee.account_enabled.is_(True),
        ).order_by(Employee.legal_name)
    ))


@dataclass(frozen=True)
class AuditFilter:
    who: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None
    errors: dict[str, str] = field(default_factory=dict)  # by parameter: a date not used, and why

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditFilter:
        errors: dict[str, str] = {}
        return cls(args.get("who", "").strip()[:200], args.get("action", "").strip()[:100],
                   _date(args, "since", errors), _date(args, "until", errors), errors)


def _date(args: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    try:
        return parse_date_param(args.get(name), date.today())
    except BadDate as refused:
        errors[name] = str(refused)
        return None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, ZoneInfo(current_app.config["CITY_TIMEZONE"]))


def _audit_query(filters: AuditFilter) -> Select[Any]:
    query = select(AuditEntry)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.since:
        query = query.where(AuditEntry.at >= _local_midnight(filters.since))
    if filters.until:
        query = query.where(AuditEntry.at < _local_midnight(filters.until + timedelta(days=1)))
    if filters.who:
        people = select(cast(Employee.id, String)).where(or_(
            func.lower(Employee.legal_name).like(f"%{filters.who.lower()}%"),
            func.lower(Employee.mail).like(f"%{filters.who.lower()}%"),
        ))
        query = query.where(or_(
            func.lower(AuditEntry.actor_label).like(f"%{filters.who.lower()}%"),
            (AuditEntry.target_type == "employee") & AuditEntry.target_id.in_(people),
        ))
    return query


def audit_page(filters: AuditFilter, page: int) -> tuple[list[AuditEntry], int]:
    query = _audit_query(filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(AUDIT_PAGE_SIZE).offset((page - 1) * AUDIT_PAGE_SIZE)
    )
    return list(rows), total


def audit_rows(filters: AuditFilter, limit: int = 50_000) -> list[AuditEntry]:
    """Every entry the filters match, newest first (the CSV export)."""
    return list(db.session.scalars(
        _audit_query(filters).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def people_by_id(entries: list[AuditEntry]) -> dict[str, Employee]:
    ids = {int(e.target_id) for e in entries if e.target_type == "employee" and e.target_id.isdigit()}
    if not ids:
        return {}
    return {str(p.id): p for p in db.session.scalars(select(Employee).where(Employee.id.in_(ids)))}


def module_title(key: str) -> str:
    return MODULES.get(key, key)
