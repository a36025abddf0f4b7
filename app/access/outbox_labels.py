"""How the ops screens name the access area's outbox operations: the person and the role's group."""
from __future__ import annotations

from sqlalchemy import func, select

from app.access.mappings import role_title
from app.access.models import GroupMapping
from app.extensions import db
from app.jobs.labels import describes
from app.jobs.models import GraphOperation
from app.people.models import Employee


@describes("group_membership")
def group_membership(operation: GraphOperation) -> str:
    payload = operation.payload or {}
    group_id, oid = str(payload.get("group_id", "")), str(payload.get("user_id", ""))
    person = db.session.scalar(select(Employee).where(func.lower(Employee.entra_oid) == oid.lower()).limit(1))
    mapping = db.session.scalar(select(GroupMapping).where(GroupMapping.group_object_id == group_id))
    who = person.display_name if person else "someone who never signed in to MyGov"
    group = f"{mapping.group_name} ({role_title(mapping)})" if mapping else "an Entra group no role is mapped to any more"
    if operation.kind == "remove_group_member":
        return f"Remove {who} from {group}"
    return f"Add {who} to {group}"
