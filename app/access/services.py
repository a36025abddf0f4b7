"""Operations on authorization data: the only place role assignments change.

A grant or revoke is one transaction: the assignment, its audit entry and the outbox operation
that adds or removes the person in the role's mapped Entra group.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from app.access.models import AuditEntry, GroupMapping, Module, Role, RoleAssignment, SeedExclusion
from app.access import scopes
from app.access.notices import notify_role_change
from app.access.registry import MODULES, ROLES, RoleDefinition, role
from app.access.scopes import WHOLE_MODULE
from app.extensions import db
from app.graph import users
from app.jobs.models import GraphOperation
from app.jobs.outbox import record_operation
from app.microsoft import graph_client
from app.people.models import Employee
from app.people.services import entra_values, is_resource_mailbox, upsert_employee_from_graph
from app.sqltypes import utcnow

MEMBERSHIP_KINDS = ("add_group_member", "remove_group_member")
SUPERSEDABLE = ("pending", "failed", "dead")
PLATFORM_ADMIN = "platform.admin"


class AccessError(ValueError):
    """A change that cannot be made; the message says why, in words for the admin; `field` names the
    form field at fault when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def sync_registry() -> None:
    """Make the module and role tables match the registry in code (idempotent)."""
    for key, title in MODULES.items():
        module = db.session.get(Module, key) or Module(key=key)
        module.title = title
        db.session.add(module)
    db.session.flush()
    for definition in ROLES:
        row = db.session.get(Role, (definition.module, definition.key)) or Role(
            module_key=definition.module, key=definition.key
        )
        row.title = definition.title
        row.description = definition.description
        db.session.add(row)
    db.session.flush()  # rows that refer to roles by foreign key only must find them


def membership_target(group_id: str, oid: str) -> str:
    """The outbox target of one membership: add and remove of it run in order."""
    return f"{group_id}:{oid}"[:64]


def audit(actor: Employee | None, action: str, target_type: str, target_id: str | int,
          before: dict[str, Any] | None, after: dict[str, Any] | None, *, actor_label: str | None = None) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor else None, actor_label=actor_label or (actor.display_name if actor else "MyGov"),
        action=action, target_type=target_type, target_id=str(target_id), before=before, after=after,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def mapping_for(module_key: str, role_key: str, scope: str = WHOLE_MODULE) -> GroupMapping | None:
    return db.session.scalar(select(GroupMapping).where(
        GroupMapping.module_key == module_key, GroupMapping.role_key == role_key, GroupMapping.scope == scope))


def default_group_name(module_key: str, role_key: str, scope: str = WHOLE_MODULE) -> str:
    if not scope:
        return current_app.config["ACCESS_GROUP_NAME_PATTERN"].format(module=module_key, role=role_key)
    return current_app.config["ACCESS_SCOPED_GROUP_NAME_PATTERN"].format(
        module=module_key, role=role_key, scope=scopes.slug(scope))


def ensure_scoped_mapping(module_key: str, role_key: str, scope: str) -> GroupMapping:
    """A scoped role's own write-back group, named by the pattern until IT links or MyGov creates it."""
    mapping = mapping_for(module_key, role_key, scope)
    if mapping is None:
        mapping = GroupMapping(module_key=module_key, role_key=role_key, scope=scope,
                               group_name=default_group_name(module_key, role_key, scope))
        db.session.add(mapping)
        db.session.flush()
    return mapping


def writes_back(employee: Employee) -> bool:
    """Only people of the tenant Graph works on can be put in its groups."""
    return employee.tenant_id.lower() == current_app.config["ENTRA_TENANT_ID"].lower()


def queue_membership_change(kind: str, group_id: str, oid: str, key: str) -> GraphOperation:
    """Record an add/remove; it replaces earlier ones for the same membership that have not run."""
    target = membership_target(group_id, oid)
    earlier = db.session.scalars(
        select(GraphOperation).where(
            GraphOperation.target_type == "group_membership", GraphOperation.target_id == target,
            GraphOperation.kind.in_(MEMBERSHIP_KINDS), GraphOperation.status.in_(SUPERSEDABLE),
        )
    ).all()
    for operation in earlier:
        operation.status, operation.completed_at = "superseded", utcnow()
        operation.last_error_code, operation.last_error_message = "superseded", "replaced by a later change"
    return record_operation(
        kind, target_type="group_membership", target_id=target,
        payload={"group_id": group_id, "user_id": oid}, idempotency_key=key,
    )


def write_membership(kind: str, employee: Employee, module_key: str, role_key: str, scope: str,
                     entry: AuditEntry) -> None:
    """Queue the add/remove of the person in the role's write-back group, if it has one in Entra."""
    mapping = mapping_for(module_key, role_key, scope)
    if mapping is None or not mapping.group_object_id or not writes_back(employee):
        return
    queue_membership_change(kind, mapping.group_object_id, employee.entra_oid, f"access-audit-{entry.id}")


def _assignment(employee: Employee, module_key: str, role_key: str, scope: str) -> RoleAssignment | None:
    return db.session.scalar(select(RoleAssignment).where(
        RoleAssignment.employee_id == employee.id, RoleAssignment.module_key == module_key,
        RoleAssignment.role_key == role_key, RoleAssignment.scope == scope,
    ))


def role_and_scope(qualified_name: str, scope: str) -> tuple[RoleDefinition, str]:
    """Check a role and scope chosen together; the error names what to choose instead."""
    try:
        definition = role(qualified_name)
    except KeyError as error:
        raise AccessError("Choose a role from the list.", "role") from error
    scope = scope or WHOLE_MODULE
    if scope and scopes.kind_of(scope) != definition.scope_kind:
        if definition.scope_kind is None:
            raise AccessError(f"{definition.title} is held for the whole module: choose “the whole module”.", "scope")
        raise AccessError(f"{definition.title} can be held for the whole module or for one "
                          f"{definition.scope_kind}: choose one of those.", "scope")
    if scope and not scopes.exists(scope):
        raise AccessError(f"That {scopes.kind_of(scope)} no longer exists: choose another.", "scope")
    return definition, scope


def audit_fields(qualified_name: str, scope: str, source: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"role": qualified_name, "source": source}
    if scope:
        fields["scope"], fields["scope_name"] = scope, scopes.label(scope)
    return fields


def end_of_day(day: date) -> datetime:
    """The instant a grant "until `day`" ends: the next midnight in the city's zone."""
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    return datetime.combine(day + timedelta(days=1), time.min, zone)


def check_grant(qualified_name: str, scope: str, until: date | None) -> tuple[RoleDefinition, str, datetime | None]:
    """The role, scope and end instant of a grant, or AccessError naming the field at fault."""
    definition, scope = role_and_scope(qualified_name, scope)
    ends_at = end_of_day(until) if until else None
    if ends_at is not None and ends_at <= utcnow():
        raise AccessError("The end date has passed: choose today or a later day, or leave it empty.", "until")
    return definition, scope, ends_at


def grant_role(employee: Employee, qualified_name: str, actor: Employee, scope: str = WHOLE_MODULE,
               until: date | None = None) -> RoleAssignment:
    """Grant by hand; `until` is the last day it is held (the job access.end_expired_roles ends it)."""
    definition, scope, ends_at = check_grant(qualified_name, scope, until)
    if _assignment(employee, definition.module, definition.key, scope):
        raise AccessError(f"{employee.display_name} already holds {definition.title} for {scopes.label(scope)}.")
    sync_registry()
    if scope:
        ensure_scoped_mapping(definition.module, definition.key, scope)
    excluded = exclusion_for(employee, definition.module, definition.key, scope)
    if excluded is not None:
        db.session.delete(excluded)  # granted by hand again: seeding rules may give it again too
    assignment = RoleAssignment(employee=employee, module_key=definition.module, role_key=definition.key,
                                scope=scope, source="manual", granted_by=actor, ends_at=ends_at)
    db.session.add(assignment)
    after = audit_fields(qualified_name, scope, "manual")
    if ends_at is not None:
        after["until"] = until.isoformat()
    entry = audit(actor, "role.grant", "employee", employee.id, None, after)
    write_membership("add_group_member", employee, definition.module, definition.key, scope, entry)
    notify_role_change(employee, qualified_name, scope, gained=True, ends_at=ends_at,
                       reason=f"{actor.display_name} granted it to you in MyGov.")
    db.session.commit()
    return assignment


def exclusion_for(employee: Employee, module_key: str, role_key: str, scope: str) -> SeedExclusion | None:
    return db.session.scalar(select(SeedExclusion).where(
        SeedExclusion.employee_id == employee.id, SeedExclusion.module_key == module_key,
        SeedExclusion.role_key == role_key, SeedExclusion.scope == scope))


def platform_admin_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(RoleAssignment).join(Employee, RoleAssignment.employee_id == Employee.id)
        .where(RoleAssignment.module_key == "platform", RoleAssignment.role_key == "admin",
               Employee.account_enabled.is_(True))
    ) or 0


def revoke_role(employee: Employee, qualified_name: str, actor: Employee, scope: str = WHOLE_MODULE) -> None:
    module_key, _, role_key = qualified_name.partition(".")
    assignment = _assignment(employee, module_key, role_key, scope or WHOLE_MODULE)
    if assignment is None:
        raise AccessError(f"{employee.display_name} does not hold that role.")
    if qualified_name == PLATFORM_ADMIN and platform_admin_count() <= 1:
        raise AccessError("MyGov needs at least one platform admin: grant the role to someone else first.")
    before = audit_fields(qualified_name, assignment.scope, assignment.source)
    if assignment.seed_rule_id is not None and exclusion_for(employee, module_key, role_key, assignment.scope) is None:
        # The rule's group or attribute is never changed by MyGov, so the next sign-in would give the
        # role back: the exclusion says it must not.
        db.session.add(SeedExclusion(employee_id=employee.id, module_key=module_key, role_key=role_key,
                                     scope=assignment.scope, created_by_id=actor.id))
        before["excluded_from_seeding"] = True
    db.session.delete(assignment)
    entry = audit(actor, "role.revoke", "employee", employee.id, before, None)
    write_membership("remove_group_member", employee, module_key, role_key, assignment.scope, entry)
    notify_role_change(employee, qualified_name, assignment.scope, gained=False,
                       reason=f"{actor.display_name} removed it in MyGov.")
    db.session.commit()


def end_expired_roles(now: datetime | None = None) -> tuple[int, int]:
    """End the grants whose end date has passed: audited, written to Entra, the person emailed.

    The last enabled platform admin keeps the role (MyGov must keep one); that is counted as kept.
    """
    now = now or utcnow()
    due = db.session.scalars(select(RoleAssignment).where(
        RoleAssignment.ends_at.is_not(None), RoleAssignment.ends_at <= now).order_by(RoleAssignment.ends_at)).all()
    ended = kept = 0
    for assignment in due:
        qualified = f"{assignment.module_key}.{assignment.role_key}"
        if qualified == PLATFORM_ADMIN and platform_admin_count() <= 1:
            kept += 1
            continue
        employee = assignment.employee
        before = audit_fields(qualified, assignment.scope, assignment.source)
        before["until"] = assignment.ends_at.isoformat()
        db.session.delete(assignment)
        entry = audit(None, "role.expire", "employee", employee.id, before, None, actor_label="MyGov (end date reached)")
        write_membership("remove_group_member", employee, assignment.module_key, assignment.role_key,
                         assignment.scope, entry)
        notify_role_change(employee, qualified, assignment.scope, gained=False,
                           reason="The end date set when it was granted has passed.")
        db.session.flush()
        ended += 1
    db.session.commit()
    return ended, kept


def _last_membership_change(group_id: str, oid: str) -> str | None:
    return db.session.scalar(
        select(GraphOperation.kind).where(
            GraphOperation.target_type == "group_membership",
            GraphOperation.target_id == membership_target(group_id, oid),
            GraphOperation.kind.in_(MEMBERSHIP_KINDS),
        ).order_by(GraphOperation.id.desc()).limit(1)
    )


def seed_roles_from_groups(employee: Employee, group_ids: set[str]) -> list[str]:
    """Add the roles whose mapped group the person is in; never remove a role (the caller commits).

    A role MyGov took away is not handed back by a group claim that still lists it: when the last
    membership change MyGov made for that group and person is a removal, MyGov's word stands.
    """
    if not group_ids:
        return []
    wanted = {g.lower() for g in group_ids}
    mappings = db.session.scalars(select(GroupMapping).where(GroupMapping.group_object_id.is_not(None))).all()
    held = set(db.session.execute(
        select(RoleAssignment.module_key, RoleAssignment.role_key, RoleAssignment.scope)
        .where(RoleAssignment.employee_id == employee.id)
    ).all())
    seeded: list[str] = []
    for mapping in mappings:
        group_id = mapping.group_object_id or ""
        if group_id.lower() not in wanted or (mapping.module_key, mapping.role_key, mapping.scope) in held:
            continue
        if _last_membership_change(group_id, employee.entra_oid) == "remove_group_member":
            continue
        qualified = f"{mapping.module_key}.{mapping.role_key}"
        db.session.add(RoleAssignment(employee=employee, module_key=mapping.module_key, role_key=mapping.role_key,
                                      scope=mapping.scope, source="entra-seed"))
        audit(None, "role.seed", "employee", employee.id, None,
              audit_fields(qualified, mapping.scope, "entra-seed"), actor_label=f"Entra group {mapping.group_name}")
        seeded.append(qualified)
    return seeded


def add_from_directory(oid: str, actor: Employee) -> Employee:
    """An Employee for someone found in the directory who has never signed in (so roles can be granted)."""
    tenant_id = current_app.config["ENTRA_TENANT_ID"].lower()
    user = users.get_user(graph_client(), oid)
    if user is None:
        raise AccessError("That person is no longer in the directory.")
    if is_resource_mailbox(entra_values(user)):
        raise AccessError(f"{user.get('displayName') or 'That entry'} is a room or shared mailbox, not a person.")
    created = upsert_employee_from_graph(tenant_id, user)
    employee = db.session.scalar(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.entra_oid == user["id"])
    )
    if created:
        audit(actor, "employee.add", "employee", employee.id, None,
              {"name": employee.display_name, "from": "Entra directory"})
    db.session.commit()
    return employee
