"""Authorization owned by MyGov: modules, roles, assignments, Entra group mappings, audit."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, ForeignKeyConstraint, Integer, String, Text
from sqlalchemy import UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.people.models import Employee
from app.sqltypes import UTCDateTime, utcnow

ASSIGNMENT_SOURCES = ("entra-seed", "manual")


class Module(db.Model):
    """A module of the platform; rows mirror the registry in app/access/registry.py."""

    __tablename__ = "module"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(128))


class Role(db.Model):
    __tablename__ = "role"

    module_key: Mapped[str] = mapped_column(ForeignKey("module.key"), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")

    module: Mapped[Module] = relationship()

    @property
    def qualified_name(self) -> str:
        return f"{self.module_key}.{self.key}"


class RoleAssignment(db.Model):
    __tablename__ = "role_assignment"
    __table_args__ = (
        UniqueConstraint("employee_id", "module_key", "role_key", "scope"),
        ForeignKeyConstraint(["module_key", "role_key"], ["role.module_key", "role.key"]),
        CheckConstraint("source IN ('entra-seed', 'manual')", name="source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    module_key: Mapped[str] = mapped_column(String(32))
    role_key: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(200), default="", server_default="")  # see app/access/scopes.py
    source: Mapped[str] = mapped_column(String(16))
    seed_rule_id: Mapped[int | None] = mapped_column(ForeignKey("seeding_rule.id"), index=True)  # given by that rule
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # the job access.end_expired_roles

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    granted_by: Mapped[Employee | None] = relationship(foreign_keys=[granted_by_id])
    role: Mapped[Role] = relationship(viewonly=True)
    seed_rule: Mapped[SeedingRule | None] = relationship()


SEED_SOURCES = ("group", "department", "position")


class SeedingRule(db.Model):
    """"Members of Entra group X (people of department D, people titled T) get role R for scope S."

    Applied at every sign-in. MyGov only reads the group or attribute; it never writes to it.
    """

    __tablename__ = "seeding_rule"
    __table_args__ = (
        UniqueConstraint("source_kind", "match_value", "module_key", "role_key", "scope"),
        ForeignKeyConstraint(["module_key", "role_key"], ["role.module_key", "role.key"]),
        CheckConstraint("source_kind IN ('group', 'department', 'position')", name="source_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    match_value: Mapped[str] = mapped_column(String(256))  # group object id, department or job title
    match_label: Mapped[str] = mapped_column(String(256))  # the group's name; the attribute as typed
    module_key: Mapped[str] = mapped_column(String(32))
    role_key: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[Employee | None] = relationship()


class SeedExclusion(db.Model):
    """A seeded role an admin took away: seeding rules do not give it back to that person."""

    __tablename__ = "seed_exclusion"
    __table_args__ = (
        UniqueConstraint("employee_id", "module_key", "role_key", "scope"),
        ForeignKeyConstraint(["module_key", "role_key"], ["role.module_key", "role.key"]),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    module_key: Mapped[str] = mapped_column(String(32))
    role_key: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupMapping(db.Model):
    """Role (and scope) ↔ the Entra group MyGov writes (default `mygov-{module}-{role}[-{scope}]`)."""

    __tablename__ = "group_mapping"
    __table_args__ = (
        UniqueConstraint("module_key", "role_key", "scope"),
        ForeignKeyConstraint(["module_key", "role_key"], ["role.module_key", "role.key"]),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module_key: Mapped[str] = mapped_column(String(32))
    role_key: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(200), default="", server_default="")
    group_name: Mapped[str] = mapped_column(String(256))
    group_object_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    last_reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reconcile_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AuditEntry(db.Model):
    """Append-only record of who changed what; nothing updates or deletes these rows."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(256))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[Employee | None] = relationship()


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_is_append_only(mapper: Any, connection: Any, entry: AuditEntry) -> None:
    raise PermissionError("audit entries are never changed or deleted")
