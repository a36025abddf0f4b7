"""The room occupancy table: one row per stretch of time something MyGov writes to a room's mailbox
holds the room (a reservation, an occurrence of an event published to it, a closed day).

One PostgreSQL exclusion constraint keeps the rows of a space from overlapping unless a row carries
an explicit exemption (a staff override, audited). SQLite has no such constraint: the services
check for overlaps inside an immediate transaction instead.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, func, literal_column
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.people.models import Employee
from app.sqltypes import UTCDateTime, utcnow

OCCUPANT_KINDS = ("reservation", "event", "closure")


class OccupancyExemption(db.Model):
    """Staff allowed one occupant (an event, a closure, a reservation) to overlap others in a space."""

    __tablename__ = "occupancy_exemption"
    __table_args__ = (
        CheckConstraint("kind IN ('reservation', 'event', 'closure')", name="kind"),
        UniqueConstraint("space_id", "kind", "source_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("facility_space.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    granted_by: Mapped[Employee] = relationship()


class RoomOccupancy(db.Model):
    __tablename__ = "room_occupancy"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint("kind IN ('reservation', 'event', 'closure')", name="kind"),
        ExcludeConstraint(
            (literal_column("space_id"), "="),
            (func.tstzrange(literal_column("start_at"), literal_column("end_at"), "[)"), "&&"),
            name="room_occupancy_no_overlap",
            using="gist",
            where="exemption_id IS NULL",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("facility_space.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(Integer, index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    exemption_id: Mapped[int | None] = mapped_column(ForeignKey("occupancy_exemption.id"))
