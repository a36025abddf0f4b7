"""Facilities, their spaces (rooms) and how citizens may reserve them."""
from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, Time
from sqlalchemy import UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.sqltypes import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.people.models import Employee

PROVISIONING_STATES = ("none", "provisioning", "active", "failed")


class Facility(db.Model):
    __tablename__ = "facility"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    building_abbreviation: Mapped[str] = mapped_column(String(16), unique=True)
    address: Mapped[str] = mapped_column(Text, default="")
    graph_building_place_id: Mapped[str | None] = mapped_column(String(128))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Approved reservations mirrored into this SharePoint list (both set) through the outbox.
    sharepoint_site_id: Mapped[str | None] = mapped_column(String(300))
    sharepoint_list_id: Mapped[str | None] = mapped_column(String(300))
    sharepoint_include_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def mirrors_to_sharepoint(self) -> bool:
        return bool(self.sharepoint_site_id and self.sharepoint_list_id)

    spaces: Mapped[list[FacilitySpace]] = relationship(
        back_populates="facility", order_by="FacilitySpace.name"
    )


class FacilitySpace(db.Model):
    """A room. Its resource mailbox is its identity in Exchange, independent of reservability."""

    __tablename__ = "facility_space"
    __table_args__ = (
        UniqueConstraint("facility_id", "slug"),
        CheckConstraint(
            "provisioning_state IN ('none', 'provisioning', 'active', 'failed')",
            name="provisioning_state",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100))
    floor: Mapped[str | None] = mapped_column(String(32))
    capacity: Mapped[int | None] = mapped_column(Integer)
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    photo_path: Mapped[str | None] = mapped_column(String(512))
    photo_alt: Mapped[str | None] = mapped_column(String(300))
    exchange_resource_mailbox: Mapped[str | None] = mapped_column(String(320), unique=True)
    mailbox_display_name_override: Mapped[str | None] = mapped_column(String(256))
    graph_place_id: Mapped[str | None] = mapped_column(String(128))
    graph_floor_place_id: Mapped[str | None] = mapped_column(String(128))
    provisioning_state: Mapped[str] = mapped_column(String(16), default="none")
    # Why provisioning failed, in words staff can act on (e.g. the address was taken meanwhile).
    provisioning_error: Mapped[str | None] = mapped_column(Text)
    # The last room-calendar reconcile of this space's mailbox: {"window": ..., "rows": [...]}.
    calendar_check: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    calendar_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    facility: Mapped[Facility] = relationship(back_populates="spaces")
    reservation_config: Mapped[ReservationConfig | None] = relationship(
        back_populates="space", uselist=False, cascade="all, delete-orphan"
    )
    calendar_shares: Mapped[list[RoomCalendarShare]] = relationship(
        back_populates="space", order_by="RoomCalendarShare.created_at"
    )

    @property
    def mailbox_display_name(self) -> str:
        return self.mailbox_display_name_override or self.name

    @property
    def is_citizen_reservable(self) -> bool:
        config = self.reservation_config
        return bool(config and config.citizen_reservable and self.archived_at is None)


SHARE_STATES = ("invited", "revoked")


class RoomCalendarShare(db.Model):
    """Read access to a room's calendar given to one staff member (a calendarPermission, §8.1).

    Exchange emails them an invitation they accept in Outlook; MyGov cannot add the calendar for them.
    """

    __tablename__ = "room_calendar_share"
    __table_args__ = (CheckConstraint("status IN ('invited', 'revoked')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("facility_space.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    address: Mapped[str] = mapped_column(String(320))
    mailbox: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(32), default="read")
    status: Mapped[str] = mapped_column(String(16), default="invited")
    permission_id: Mapped[str | None] = mapped_column(String(256))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    space: Mapped[FacilitySpace] = relationship(back_populates="calendar_shares")
    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])


class ReservationConfig(db.Model):
    """How citizens may reserve a space. Absent = not reservable by citizens."""

    __tablename__ = "reservation_config"
    __table_args__ = (
        CheckConstraint("min_duration_minutes > 0", name="min_duration_positive"),
        CheckConstraint("max_duration_minutes >= min_duration_minutes", name="max_ge_min"),
        CheckConstraint("open_time < close_time", name="open_before_close"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("facility_space.id"), unique=True)
    citizen_reservable: Mapped[bool] = mapped_column(Boolean, default=True)
    approval_required: Mapped[bool] = mapped_column(Boolean, default=True)
    open_time: Mapped[time] = mapped_column(Time, default=time(8, 0))
    close_time: Mapped[time] = mapped_column(Time, default=time(20, 0))
    # ISO weekday numbers (1 = Monday) on which the space opens.
    open_weekdays: Mapped[list[int]] = mapped_column(JSON, default=lambda: [1, 2, 3, 4, 5, 6])
    min_duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    max_duration_minutes: Mapped[int] = mapped_column(Integer, default=240)
    lead_time_hours: Mapped[int] = mapped_column(Integer, default=24)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    max_attendees: Mapped[int | None] = mapped_column(Integer)
    rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Citizens may cancel or move online until this many hours before the start; after that
    # they are told to call `contact_for_changes` (e.g. "the library front desk, 334-501-3190").
    cancel_cutoff_hours: Mapped[int | None] = mapped_column(Integer)
    contact_for_changes: Mapped[str | None] = mapped_column(String(300))

    space: Mapped[FacilitySpace] = relationship(back_populates="reservation_config")
