"""Facilities, their spaces (rooms) and how citizens may reserve them."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, Time
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


RULE_DEFAULTS: dict[str, Any] = {
    "citizen_reservable": True, "approval_required": True, "open_time": time(8, 0), "close_time": time(20, 0),
    "min_duration_minutes": 30, "max_duration_minutes": 240, "lead_time_hours": 24, "horizon_days": 60,
    "setup_minutes": 0, "teardown_minutes": 0, "step_minutes": 15, "instructions": "",
}


class ReservationConfig(db.Model):
    """How citizens may reserve a space. Absent = not reservable by citizens.

    Opening hours: `weekly_hours` maps ISO weekday ("1" = Monday) to its open ranges
    ([["09:00", "12:00"], ["13:00", "20:00"]]); a weekday missing or empty is closed. Spaces never
    saved on the settings screen have none and open `open_weekdays`, `open_time` to `close_time`;
    the screen keeps those three as the week's outline (first opening, last closing, open days).
    """

    __tablename__ = "reservation_config"
    __table_args__ = (
        CheckConstraint("min_duration_minutes > 0", name="min_duration_positive"),
        CheckConstraint("max_duration_minutes >= min_duration_minutes", name="max_ge_min"),
        CheckConstraint("open_time < close_time", name="open_before_close"),
        CheckConstraint("step_minutes IN (15, 30, 60)", name="step_minutes"),
        CheckConstraint("setup_minutes >= 0 AND teardown_minutes >= 0", name="setup_teardown_non_negative"),
        CheckConstraint("horizon_days > 0", name="horizon_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("facility_space.id"), unique=True)
    citizen_reservable: Mapped[bool] = mapped_column(Boolean, default=True)
    approval_required: Mapped[bool] = mapped_column(Boolean, default=True)
    open_time: Mapped[time] = mapped_column(Time, default=time(8, 0))
    close_time: Mapped[time] = mapped_column(Time, default=time(20, 0))
    # ISO weekday numbers (1 = Monday) on which the space opens.
    open_weekdays: Mapped[list[int]] = mapped_column(JSON, default=lambda: [1, 2, 3, 4, 5, 6])
    weekly_hours: Mapped[dict[str, list[list[str]]] | None] = mapped_column(JSON)
    min_duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    max_duration_minutes: Mapped[int] = mapped_column(Integer, default=240)
    lead_time_hours: Mapped[int] = mapped_column(Integer, default=24)
    # How many days ahead a reservation may start.
    horizon_days: Mapped[int] = mapped_column(Integer, default=60)
    # Kept free before each booking (setup) and after it (teardown), whoever booked the room.
    setup_minutes: Mapped[int] = mapped_column(Integer, default=0)
    teardown_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # Starts and ends fall on this grid (minutes from the opening of each range).
    step_minutes: Mapped[int] = mapped_column(Integer, default=15)
    instructions: Mapped[str] = mapped_column(Text, default="")
    max_attendees: Mapped[int | None] = mapped_column(Integer)
    rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Citizens may cancel or move online until this many hours before the start; after that
    # they are told to call `contact_for_changes` (e.g. "the library front desk, 334-501-3190").
    cancel_cutoff_hours: Mapped[int | None] = mapped_column(Integer)
    contact_for_changes: Mapped[str | None] = mapped_column(String(300))

    space: Mapped[FacilitySpace] = relationship(back_populates="reservation_config")

    def __init__(self, **values: Any) -> None:
        # The rules are read before the row is flushed (a preview, a test): defaults at once, not at INSERT.
        if "buffer_minutes" in values:  # the older single buffer: both sides unless given apart
            buffer = values.pop("buffer_minutes")
            values.setdefault("setup_minutes", buffer)
            values.setdefault("teardown_minutes", buffer)
        super().__init__(**{**RULE_DEFAULTS, "open_weekdays": [1, 2, 3, 4, 5, 6], **values})

    @property
    def buffer_minutes(self) -> int:
        """The longer of setup and teardown (what older code and the demo seed call the buffer)."""
        return max(self.setup_minutes or 0, self.teardown_minutes or 0)

    @buffer_minutes.setter
    def buffer_minutes(self, minutes: int) -> None:
        self.setup_minutes = self.teardown_minutes = minutes

    def hours_on(self, day: date) -> list[tuple[time, time]]:
        """The day's open ranges, earliest first; empty when the space is closed that weekday."""
        if self.weekly_hours is None:
            return [(self.open_time, self.close_time)] if day.isoweekday() in self.open_weekdays else []
        return [(time.fromisoformat(opens), time.fromisoformat(closes))
                for opens, closes in self.weekly_hours.get(str(day.isoweekday()), [])]


CLOSURE_OUTBOX_TARGET = "closure"  # the outbox target type of a closure's event in a room calendar


class Closure(db.Model):
    """Days a space, a whole facility or (no facility: the city's holiday list) every facility is closed.

    One-off (first to last day) or repeating on some weekdays within those days (every Monday in
    January). Written to each affected room's Exchange calendar as a busy all-day event.
    """

    __tablename__ = "closure"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="last_after_first"),
        CheckConstraint("space_id IS NULL OR facility_id IS NOT NULL", name="space_needs_facility"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id"), index=True)
    space_id: Mapped[int | None] = mapped_column(ForeignKey("facility_space.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    first_day: Mapped[date] = mapped_column(Date, index=True)
    last_day: Mapped[date] = mapped_column(Date)
    # ISO weekdays (1 = Monday) it repeats on between first and last day; None = every day.
    weekdays: Mapped[list[int] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    facility: Mapped[Facility | None] = relationship()
    space: Mapped[FacilitySpace | None] = relationship()

    @property
    def is_city_holiday(self) -> bool:
        return self.facility_id is None

    def days(self, first: date, last: date) -> list[date]:
        """The closed days between first and last (inclusive)."""
        day, end = max(first, self.first_day), min(last, self.last_day)
        found = []
        while day <= end:
            if not self.weekdays or day.isoweekday() in self.weekdays:
                found.append(day)
            day += timedelta(days=1)
        return found
