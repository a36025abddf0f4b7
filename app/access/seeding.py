"""Seeding rules: Entra groups, departments and job titles that give a role at sign-in.

They are apart from the write-back groups (GroupMapping): MyGov reads them and never writes to
them. Rules are applied at every sign-in, so a person who leaves the group (or department, or
title) loses what the rule gave; taking such a role away in MyGov records a SeedExclusion, since
the group itself is not changed.
"""
from __future__ import annotations

from sqlalchemy import select

from app.access import scopes
from app.access.models import GroupMapping, RoleAssignment, SeedExclusion, SeedingRule
from app.access.notices import notify_role_change
from app.access.registry import role
from app.access.services import (
    AccessError, audit, audit_fields, ensure_scoped_mapping, role_and_scope, sync_registry, write_membership,
)
from app.extensions import db
from app.graph import groups
from app.microsoft import graph_client
from app.people.models import Employee

SOURCE_TITLES = {"group": "Members of the Entra group", "department": "People of the department",
                 "position": "People with the job title"}


def describe(rule: SeedingRule) -> str:
    """"Members of the Entra group Parks Staff get Calendar editor for Parks"."""
    title = role(f"{rule.module_key}.{rule.role_key}").title
    scoped = f" for {scopes.label(rule.scope)}" if rule.scope else ""
    return f"{SOURCE_TITLES[rule.source_kind]} {rule.match_label} get {title}{scoped}"


def _audit_label(rule: SeedingRule) -> str:
    title = SOURCE_TITLES[rule.source_kind]
    return f"Seeding rule: {title[0].lower()}{title[1:]} {rule.match_label}"[:256]


def rules() -> list[SeedingRule]:
    return list(db.session.scalars(select(SeedingRule).order_by(SeedingRule.source_kind, SeedingRule.match_label)))


def _group(name: str) -> dict[str, str]:
    group = groups.find_group_by_name(graph_client(), name)
    if group is None:
        raise AccessError(f"No Entra group is named “{name}”. Check the exact name in Entra.", "value")
    written = db.session.scalar(select(GroupMapping).where(GroupMapping.group_object_id == group["id"]))
    if written is not None:
        raise AccessError(f"{group['displayName']} is the group MyGov writes for a role; a seeding rule needs a "
                          "group MyGov only reads (a department or team group).", "value")
    return group


def add_rule(source_kind: str, value: str, qualified_name: str, scope: str, actor: Employee) -> SeedingRule:
    """Record a rule (the caller commits). Groups are looked up by their exact name in Entra."""
    value = " ".join(value.split())
    if source_kind not in SOURCE_TITLES:
        raise AccessError("Choose what the rule looks at: an Entra group, a department or a job title.", "source_kind")
    if not value:
        raise AccessError("Type the group's name, the department or the job title.", "value")
    definition, scope = role_and_scope(qualified_name, scope)
    match_value, match_label = value.lower(), value
    if source_kind == "group":
        group = _group(value)
        match_value, match_label = group["id"].lower(), group["displayName"]
    existing = db.session.scalar(select(SeedingRule).where(
        SeedingRule.source_kind == source_kind, SeedingRule.match_value == match_value,
        SeedingRule.module_key == definition.module, SeedingRule.role_key == definition.key,
        SeedingRule.scope == scope))
    if existing is not None:
        raise AccessError(f"That rule exists already: {describe(existing)}.", "value")
    sync_registry()
    rule = SeedingRule(source_kind=source_kind, match_value=match_value, match_label=match_label,
                       module_key=definition.module, role_key=definition.key, scope=scope, created_by_id=actor.id)
    db.session.add(rule)
    db.session.flush()
    audit(actor, "seeding_rule.add", "seeding_rule", rule.id, None, {"rule": describe(rule)})
    return rule


def remove_rule(rule: SeedingRule, actor: Employee) -> int:
    """Delete the rule and take back the roles it gave (audited, written to Entra); the caller commits."""
    given = db.session.scalars(select(RoleAssignment).where(RoleAssignment.seed_rule_id == rule.id)).all()
    entry = audit(actor, "seeding_rule.remove", "seeding_rule", rule.id, {"rule": describe(rule)},
                  {"roles_taken_back": len(given)})
    for assignment in given:
        _take_back(assignment, actor_label=f"{actor.display_name} (seeding rule removed)",
                   reason=f"{actor.display_name} removed the rule that gave it: {describe(rule)}.")
    db.session.delete(rule)
    db.session.flush()
    return entry.id


def _matches(rule: SeedingRule, employee: Employee, group_ids: set[str] | None) -> bool | None:
    """Does the rule apply to the person? None when their groups could not be read."""
    if rule.source_kind == "group":
        return None if group_ids is None else rule.match_value in group_ids
    attribute = employee.department if rule.source_kind == "department" else employee.job_title
    return " ".join((attribute or "").split()).lower() == rule.match_value


def _take_back(assignment: RoleAssignment, actor_label: str, reason: str) -> None:
    employee = assignment.employee
    qualified = f"{assignment.module_key}.{assignment.role_key}"
    entry = audit(None, "role.unseed", "employee", employee.id,
                  audit_fields(qualified, assignment.scope, "entra-seed"), None, actor_label=actor_label)
    db.session.delete(assignment)
    write_membership("remove_group_member", employee, assignment.module_key, assignment.role_key,
                     assignment.scope, entry)
    notify_role_change(employee, qualified, assignment.scope, gained=False, reason=reason)


def apply_seeding_rules(employee: Employee, group_ids: set[str] | None) -> tuple[list[str], list[str]]:
    """Give what the matching rules give and take back what rules no longer give (the caller commits).

    `group_ids` None means the person's groups could not be read: group rules then neither give
    nor take anything. Roles granted by hand are never touched.
    """
    wanted_groups = {g.lower() for g in group_ids} if group_ids is not None else None
    matching: dict[tuple[str, str, str], SeedingRule] = {}
    unknown: set[tuple[str, str, str]] = set()
    for rule in rules():
        key = (rule.module_key, rule.role_key, rule.scope)
        applies = _matches(rule, employee, wanted_groups)
        if applies:
            matching.setdefault(key, rule)
        elif applies is None:
            unknown.add(key)
    held = {(a.module_key, a.role_key, a.scope): a for a in db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.employee_id == employee.id))}
    excluded = set(db.session.execute(select(SeedExclusion.module_key, SeedExclusion.role_key, SeedExclusion.scope)
                                      .where(SeedExclusion.employee_id == employee.id)).all())
    given: list[str] = []
    taken: list[str] = []
    for key, assignment in held.items():
        if assignment.seed_rule_id is None or key in unknown:
            continue
        if key in matching:
            assignment.seed_rule_id = matching[key].id
        else:
            _take_back(assignment, actor_label="MyGov at sign-in (no seeding rule gives it any more)",
                       reason="The Entra group, department or job title that gave it no longer includes you.")
            taken.append(f"{key[0]}.{key[1]}")
    for key, rule in matching.items():
        if key in held or key in excluded:
            continue
        qualified = f"{key[0]}.{key[1]}"
        if key[2]:
            ensure_scoped_mapping(*key)
        assignment = RoleAssignment(employee=employee, module_key=key[0], role_key=key[1], scope=key[2],
                                    source="entra-seed", seed_rule=rule)
        db.session.add(assignment)
        entry = audit(None, "role.seed", "employee", employee.id, None, audit_fields(qualified, key[2], "entra-seed"),
                      actor_label=_audit_label(rule))
        write_membership("add_group_member", employee, key[0], key[1], key[2], entry)
        notify_role_change(employee, qualified, key[2], gained=True, reason=f"Given by the rule: {describe(rule)}.")
        given.append(qualified)
    return given, taken
