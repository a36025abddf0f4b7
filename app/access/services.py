"""Operations on authorization data: the only place role assignments change.

A grant or revoke is one transaction: the assignment, its audit entry and the outbox operation
that adds or removes the person in the role's mapped Entra group.
"""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.access.models import AuditEntry, GroupMapping, Module, Role, RoleAssignment
from app.access.registry import MODULES, ROLES, role
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
    """A change that cannot be made; the message says why, in words for the admin."""


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


def mapping_for(module_key: str, role_key: str) -> GroupMapping | None:
    return db.session.scalar(
        select(GroupMapping).where(GroupMapping.module_key == module_key, GroupMapping.role_key == role_key)
    )


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


def _write_back(kind: str, employee: Employee, module_key: str, role_key: str, entry: AuditEntry) -> None:
    mapping = mapping_for(module_key, role_key)
    if mapping is None or not mapping.group_object_id or not writes_back(employee):
        return
    queue_membership_change(kind, mapping.group_object_id, employee.entra_oid, f"access-audit-{entry.id}")


def _assignment(employee: Employee, module_key: str, role_key: str) -> RoleAssignment | None:
    return db.session.scalar(select(RoleAssignment).where(
        RoleAssignment.employee_id == employee.id,
        RoleAssignment.module_key == module_key, RoleAssignment.role_key == role_key,
    ))


def grant_role(employee: Employee, qualified_name: str, actor: Employee) -> RoleAssignment:
    try:
        definition = role(qualified_name)
    except KeyError as error:
        raise AccessError("Choose a role from the list.") from error
    if _assignment(employee, definition.module, definition.key):
        raise AccessError(f"{employee.display_name} already holds {definition.title}.")
    sync_registry()
    assignment = RoleAssignment(
        employee=employee, module_key=definition.module, role_key=definition.key, source="manual", granted_by=actor,
    )
    db.session.add(assignment)
    entry = audit(actor, "role.grant", "employee", employee.id, None, {"role": qualified_name, "source": "manual"})
    _write_back("add_group_member", employee, definition.module, definition.key, entry)
    db.session.commit()
    return assignment


def platform_admin_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(RoleAssignment).join(Employee, RoleAssignment.employee_id == Employee.id)
        .where(RoleAssignment.module_key == "platform", RoleAssignment.role_key == "admin",
               Employee.account_enabled.is_(True))
    ) or 0


def revoke_role(employee: Employee, qualified_name: str, actor: Employee) -> None:
    module_key, _, role_key = qualified_name.partition(".")
    assignment = _assignment(employee, module_key, role_key)
    if assignment is None:
        raise AccessError(f"{employee.display_name} does not hold that role.")
    if qualified_name == PLATFORM_ADMIN and platform_admin_count() <= 1:
        raise AccessError("MyGov needs at least one platform admin: grant the role to someone else first.")
    before = {"role": qualified_name, "source": assignment.source}
    db.session.delete(assignment)
    entry = audit(actor, "role.revoke", "employee", employee.id, before, None)
    _write_back("remove_group_member", employee, module_key, role_key, entry)
    db.session.commit()


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
        select(RoleAssignment.module_key, RoleAssignment.role_key).where(RoleAssignment.employee_id == employee.id)
    ).all())
    seeded: list[str] = []
    for mapping in mappings:
        group_id = mapping.group_object_id or ""
        if group_id.lower() not in wanted or (mapping.module_key, mapping.role_key) in held:
            continue
        if _last_membership_change(group_id, employee.entra_oid) == "remove_group_member":
            continue
        qualified = f"{mapping.module_key}.{mapping.role_key}"
        db.session.add(RoleAssignment(
            employee=employee, module_key=mapping.module_key, role_key=mapping.role_key, source="entra-seed",
        ))
        audit(None, "role.seed", "employee", employee.id, None, {"role": qualified, "source": "entra-seed"},
              actor_label=f"Entra group {mapping.group_name}")
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
