"""Reconcile: each mapped group's members against MyGov's role holders.

Checking changes nothing in Entra; it stores the drift on each mapping for the screen. Making
Entra match MyGov happens only when an admin confirms exactly the drift they were shown.
Group members who never signed in to MyGov are left alone by "make Entra match": their first
sign-in gives them the role from the group, which is how IT hands out roles before MyGov knows
someone. An admin may still take such access away, one person at a time (`remove_before_sign_in`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.access.mappings import role_title
from app.access.models import GroupMapping, RoleAssignment
from app.access.services import AccessError, audit, membership_target, queue_membership_change
from app.extensions import db
from app.graph import GraphClient, groups
from app.jobs.models import GraphOperation
from app.people.models import Employee
from app.sqltypes import utcnow

CHANGE_FOR = {"add": "add_group_member", "remove": "remove_group_member"}


@dataclass(frozen=True)
class DriftRow:
    role: str  # in words, with the scope: "Reservations approver for Main Library"
    group_name: str
    group_id: str
    oid: str
    name: str
    change: str  # add: in MyGov, not in the group | remove: in the group, not in MyGov | awaiting (sign-in)
    queued: bool = False  # an outbox operation making this change has not finished yet

    @property
    def actionable(self) -> bool:
        return self.change in CHANGE_FOR and not self.queued


def holders(mapping: GroupMapping) -> dict[str, str]:
    """Entra object id → name of everyone in this tenant holding exactly the mapped role and scope."""
    rows = db.session.execute(
        select(Employee).join(RoleAssignment, RoleAssignment.employee_id == Employee.id).where(
            RoleAssignment.module_key == mapping.module_key, RoleAssignment.role_key == mapping.role_key,
            RoleAssignment.scope == mapping.scope, Employee.account_enabled.is_(True), Employee.tenant_id == current_app.config["ENTRA_TENANT_ID"],
        )
    ).scalars()
    return {employee.entra_oid.lower(): employee.display_name for employee in rows}


def signed_in_oids() -> set[str]:
    rows = db.session.scalars(select(Employee.entra_oid).where(
        Employee.tenant_id == current_app.config["ENTRA_TENANT_ID"], Employee.last_sign_in_at.is_not(None)))
    return {oid.lower() for oid in rows}


def linked_mappings() -> list[GroupMapping]:
    return list(db.session.scalars(
        select(GroupMapping).where(GroupMapping.group_object_id.is_not(None))
        .order_by(GroupMapping.module_key, GroupMapping.role_key)
    ))


def _queued(group_id: str, oid: str, change: str) -> bool:
    latest = db.session.scalar(
        select(GraphOperation).where(
            GraphOperation.target_type == "group_membership",
            GraphOperation.target_id == membership_target(group_id, oid),
        ).order_by(GraphOperation.id.desc()).limit(1)
    )
    return latest is not None and latest.kind == CHANGE_FOR[change] and latest.status in ("pending", "running")


def check_groups(graph: GraphClient) -> list[DriftRow]:
    """Compare every mapped group with MyGov and store the result on the mappings (the caller commits)."""
    drift: list[DriftRow] = []
    known = signed_in_oids()
    for mapping in linked_mappings():
        group_id = mapping.group_object_id or ""
        members = {
            member["id"].lower(): member.get("displayName") or member.get("userPrincipalName") or member["id"]
            for member in groups.group_members(graph, group_id)
        }
        wanted = holders(mapping)
        role_name = role_title(mapping)
        rows = [DriftRow(role_name, mapping.group_name, group_id, oid, wanted[oid], "add",
                         _queued(group_id, oid, "add")) for oid in sorted(set(wanted) - set(members))]
        for oid in sorted(set(members) - set(wanted)):
            change = "remove" if oid in known else "awaiting"
            rows.append(DriftRow(role_name, mapping.group_name, group_id, oid, members[oid], change,
                                 _queued(group_id, oid, "remove")))
        mapping.last_reconciled_at = utcnow()
        mapping.last_reconcile_result = {
            "members": len(members), "holders": len(wanted),
            "drift": [{"oid": r.oid, "name": r.name, "change": r.change, "queued": r.queued} for r in rows],
        }
        drift += rows
    return drift


def stored_drift() -> list[DriftRow]:
    """The drift the last check found, as stored on the mappings."""
    rows: list[DriftRow] = []
    for mapping in linked_mappings():
        for item in (mapping.last_reconcile_result or {}).get("drift", []):
            rows.append(DriftRow(role_title(mapping), mapping.group_name,
                                 mapping.group_object_id or "", item["oid"], item["name"], item["change"],
                                 item.get("queued", False)))
    return rows


def fingerprint(rows: list[DriftRow]) -> str:
    """Names exactly the changes shown, so a confirmation can't apply a different set."""
    text = "\n".join(sorted(f"{r.group_id}|{r.oid}|{r.change}" for r in rows if r.actionable))
    return hashlib.sha256(text.encode()).hexdigest()


def make_entra_match(graph: GraphClient, confirmed: str, actor: Employee) -> int:
    """Queue the adds and removes the admin confirmed; refuse if the drift changed since they looked."""
    rows = [row for row in check_groups(graph) if row.actionable]
    if fingerprint(rows) != confirmed:
        db.session.commit()  # keep the fresh check so the screen shows what is true now
        raise AccessError("Entra or MyGov changed since that check. Review the differences below and confirm again.")
    if not rows:
        db.session.commit()
        return 0
    entry = audit(actor, "groups.reconcile", "group_mapping", "all", None, {
        "add": sum(r.change == "add" for r in rows), "remove": sum(r.change == "remove" for r in rows),
        "changes": [{"role": r.role, "oid": r.oid, "name": r.name, "change": r.change} for r in rows][:200],
    })
    for number, row in enumerate(rows):
        queue_membership_change(CHANGE_FOR[row.change], row.group_id, row.oid, f"reconcile-{entry.id}-{number}")
    for mapping in linked_mappings():
        result = dict(mapping.last_reconcile_result or {})
        result["drift"] = [{**item, "queued": item["change"] in CHANGE_FOR} for item in result.get("drift", [])]
        mapping.last_reconcile_result = result
    db.session.commit()
    return len(rows)


def remove_before_sign_in(group_id: str, oid: str, actor: Employee) -> DriftRow:
    """Take someone who never signed in out of a role's group, so their first sign-in gives no role.

    Only a person the last check listed as awaiting their first sign-in; the removal is the last
    membership change MyGov made, which the sign-in seeding respects.
    """
    row = next((r for r in stored_drift() if r.group_id == group_id and r.oid == oid.lower()
                and r.change == "awaiting"), None)
    if row is None or oid.lower() in signed_in_oids():
        raise AccessError("That person is no longer waiting for a first sign-in in that group. Check again.")
    entry = audit(actor, "groups.remove_before_sign_in", "group_mapping", group_id, {"member": row.name,
                  "role": row.role, "group": row.group_name}, None)
    queue_membership_change("remove_group_member", group_id, row.oid, f"reconcile-{entry.id}-0")
    for mapping in linked_mappings():
        if mapping.group_object_id != group_id:
            continue
        result = dict(mapping.last_reconcile_result or {})
        result["drift"] = [{**item, "queued": True} if item["oid"] == row.oid else item
                           for item in result.get("drift", [])]
        mapping.last_reconcile_result = result
    db.session.commit()
    return row
