"""Worker actions of the access area: keeping Entra role groups in step with MyGov's assignments."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.access.models import GroupMapping, RoleAssignment
from app.extensions import db
from app.graph import groups
from app.jobs.actions import action
from app.jobs.outbox import record_operation
from app.microsoft import graph_client
from app.people.models import Employee
from app.sqltypes import utcnow


def holders(mapping: GroupMapping) -> set[str]:
    return set(db.session.scalars(
        select(Employee.entra_oid).join(RoleAssignment, RoleAssignment.employee_id == Employee.id).where(
            RoleAssignment.module_key == mapping.module_key, RoleAssignment.role_key == mapping.role_key,
            Employee.account_enabled.is_(True),
        )
    ))


@action("access.reconcile_groups", description="Add missing MyGov role holders to their Entra groups.", queue="sync")
def reconcile_groups(params: dict[str, Any]) -> dict[str, Any]:
    """MyGov is the authority: holders missing from the group are added through the outbox.

    Group members without the MyGov role are reported, not removed: they may be awaiting their
    first sign-in, which seeds roles from groups.
    """
    totals = {"groups": 0, "added": 0, "only_in_entra": 0}
    mappings = db.session.scalars(select(GroupMapping).where(GroupMapping.group_object_id.is_not(None))).all()
    for mapping in mappings:
        members = groups.group_member_ids(graph_client(), mapping.group_object_id)
        wanted = holders(mapping)
        missing, extra = wanted - members, members - wanted
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        for oid in sorted(missing):
            record_operation(
                "add_group_member", target_type="group_membership", target_id=f"{mapping.group_object_id}:{oid}"[:64],
                payload={"group_id": mapping.group_object_id, "user_id": oid},
                idempotency_key=f"reconcile-{mapping.id}-{oid}-{stamp}",
            )
        mapping.last_reconciled_at = utcnow()
        mapping.last_reconcile_result = {"added": len(missing), "only_in_entra": sorted(extra)}
        totals["groups"] += 1
        totals["added"] += len(missing)
        totals["only_in_entra"] += len(extra)
    db.session.commit()
    return totals
