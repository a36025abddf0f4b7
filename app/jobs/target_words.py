"""What an outbox operation acts on, in words an admin reads: names instead of cut-off ids."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.access.models import GroupMapping
from app.extensions import db
from app.jobs.models import GraphOperation
from app.people.models import Employee

TYPE_WORDS = {"reservation": "Reservation", "email_message": "Email", "server_job": "Server job",
              "notification": "Notice to admins", "calendar_event": "Calendar event", "space": "Room",
              "facility": "Facility"}


def target_words(operations: Iterable[GraphOperation]) -> dict[int, str]:
    """Each operation's target by id; a group membership by person and group name, in full."""
    operations = list(operations)
    memberships = [op for op in operations if op.target_type == "group_membership"]
    users = {str(op.payload.get("user_id")) for op in memberships}
    groups = {str(op.payload.get("group_id")) for op in memberships}
    people = {employee.entra_oid: employee.display_name
              for employee in db.session.scalars(select(Employee).where(Employee.entra_oid.in_(users)))}
    group_names = {mapping.group_object_id: mapping.group_name
                   for mapping in db.session.scalars(select(GroupMapping).where(GroupMapping.group_object_id.in_(groups)))}
    words: dict[int, str] = {}
    for op in operations:
        if op.target_type == "group_membership":
            user, group = str(op.payload.get("user_id")), str(op.payload.get("group_id"))
            person = people.get(user) or f"Entra user {user}"
            words[op.id] = f"{person} in Entra group {group_names.get(group, group)}"
        else:
            words[op.id] = f"{TYPE_WORDS.get(op.target_type, op.target_type.replace('_', ' ').capitalize())} {op.target_id}"
    return words
