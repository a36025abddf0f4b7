"""Modules and their roles, registered in one place in code."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleDefinition:
    module: str
    key: str
    title: str
    description: str
    scope_kind: str | None = None  # facility | calendar | department: may be held for one of these


    @property
    def qualified_name(self) -> str:
        return f"{self.module}.{self.key}"


MODULES: dict[str, str] = {
    "facilities": "Facilities",
    "reservations": "Reservations",
    "calendars": "Calendars",
    "employees": "Employees",
    "platform": "Platform",
}

ROLES: tuple[RoleDefinition, ...] = (
    RoleDefinition("facilities", "viewer", "Facilities viewer", "See facilities, rooms and their mailboxes."),
    RoleDefinition("facilities", "editor", "Facilities editor", "Edit facilities and rooms."),
    RoleDefinition("facilities", "admin", "Facilities admin", "Provision, link and share room mailboxes."),
    RoleDefinition("reservations", "viewer", "Reservations viewer", "See reservations and their history.",
                   "facility"),
    RoleDefinition("reservations", "approver", "Reservations approver", "Approve, deny and cancel reservations.",
                   "facility"),
    RoleDefinition("calendars", "editor", "Calendar editor", "Create and edit calendar events.", "calendar"),
    RoleDefinition("calendars", "publisher", "Calendar publisher", "Publish and cancel events; publish from Outlook.",
                   "calendar"),
    RoleDefinition("employees", "editor", "Employee editor", "Edit public employee details and photos.",
                   "department"),
    RoleDefinition("platform", "admin", "Platform admin", "Manage permissions, server jobs and the outbox."),
)


def role(qualified_name: str) -> RoleDefinition:
    for definition in ROLES:
        if definition.qualified_name == qualified_name:
            return definition
    raise KeyError(f"unknown role {qualified_name!r}")
