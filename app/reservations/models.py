"""Reservations of facility spaces, with their state rules."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, func, literal_column
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.facilities.models import FacilitySpace
from app.people.models import Employee
from app.sqltypes import UTCDateTime, utcnow

ACTIVE_STATUSES = ("pending", "approved")
STATUSES = ("pending", "approved", "denied", "cancelled")
HISTORY_KINDS = (
    "submitted", "event_written", "event_removed", "sync_failed", "approved", "denied", "cancelled", "moved",
)


class Reservation(db.Model):
    __tablename__ = "reservation"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint(
            "status IN ('pending', 'approved', 'denied', 'cancelled')", name="status"
        ),
        # Two active reservations of one space never overlap. SQLite has no equivalent;
        # the reservation service checks inside an immediate transaction there.
        ExcludeConstraint(
            (literal_column("space_id"), "="),
            (func.tstzrange(literal_column("start_at"), literal_column("end_at"), "[)"), "&&"),
            name="reservation_no_overlap",
            using="gist",
            where="status IN ('pending', 'approved')",
        ).ddl_if(dialect="postgresql"),
        Index("ix_reservation_space_start", "space_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("facility_space.id"), index=True)
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_email: Mapped[str] = mapped_column(String(320))
    requester_phone: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    attendees: Mapped[int] = mapped_column(Integer)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    exchange_event_id: Mapped[str | None] = mapped_column(String(256))
    # The room mailbox holding that event: after a move to another room it is the old room's
    # until the worker has removed it there (holds.py discounts it by id meanwhile).
    exchange_mailbox: Mapped[str | None] = mapped_column(String(320), index=True)
    # Random per reservation; the citizen's link carries it signed, so ids are never guessable.
    manage_token: Mapped[str] = mapped_column(String(64), unique=True)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One of a repeating booking's dates (each date is its own reservation and Exchange event).
    series_id: Mapped[int | None] = mapped_column(ForeignKey("reservation_series.id"), index=True)
    # A citizen's request is held until `confirm_by` unless they confirm their address by then
    # (app/reservations/confirmation.py); None when no confirmation is needed (staff entered it).
    confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Keyed hash of the network address that sent the request: caps per client without storing the address.
    client_key: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    space: Mapped[FacilitySpace] = relationship()
    decided_by: Mapped[Employee | None] = relationship()
    series: Mapped[ReservationSeries | None] = relationship(back_populates="reservations")
    history: Mapped[list[ReservationEvent]] = relationship(
        back_populates="reservation", order_by="ReservationEvent.id",
        cascade="all, delete-orphan",
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def can_approve(self) -> bool:
        return self.status == "pending"

    def can_deny(self) -> bool:
        return self.status == "pending"

    def can_cancel(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def citizen_changes_close_at(self) -> datetime | None:
        """After this instant the citizen must call instead of cancelling online (None: no cutoff)."""
        config = self.space.reservation_config
        if config is None or not config.cancel_cutoff_hours:
            return None
        return self.start_at - timedelta(hours=config.cancel_cutoff_hours)


class ReservationSeries(db.Model):
    """A weekly or monthly booking: how it repeats; its dates are reservations of their own."""

    __tablename__ = "reservation_series"
    __table_args__ = (CheckConstraint("frequency IN ('weekly', 'monthly')", name="frequency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    frequency: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reservations: Mapped[list[Reservation]] = relationship(back_populates="series", order_by="Reservation.start_at")


class ReservationEvent(db.Model):
    """One line of a reservation's history: what happened, when, and who or what did it."""

    __tablename__ = "reservation_event"
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{kind}'" for kind in HISTORY_KINDS) + ")", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    # "Citizen", "MyGov" (the worker) or the employee's name at the time.
    actor_label: Mapped[str] = mapped_column(String(256))
    detail: Mapped[str | None] = mapped_column(Text)

    reservation: Mapped[Reservation] = relationship(back_populates="history")
    actor: Mapped[Employee | None] = relationship()
