"""Employees: seeded from Entra, overridden locally for the public site."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.sqltypes import UTCDateTime, utcnow


class Employee(UserMixin, db.Model):
    """A staff member, keyed by Entra object id + tenant id (never by mail or UPN)."""

    __tablename__ = "employee"
    __table_args__ = (UniqueConstraint("tenant_id", "entra_oid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(36))
    entra_oid: Mapped[str] = mapped_column(String(36))

    # Entra-seeded: written by sign-in and directory sync only.
    upn: Mapped[str | None] = mapped_column(String(320))
    mail: Mapped[str | None] = mapped_column(String(320), index=True)
    legal_name: Mapped[str | None] = mapped_column(String(256))
    given_name: Mapped[str | None] = mapped_column(String(128))
    surname: Mapped[str | None] = mapped_column(String(128))
    job_title: Mapped[str | None] = mapped_column(String(256))
    department: Mapped[str | None] = mapped_column(String(256), index=True)
    office_location: Mapped[str | None] = mapped_column(String(256))
    business_phone: Mapped[str | None] = mapped_column(String(64))
    account_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when Entra reports the user @removed (or a full resync no longer lists it); never deleted.
    entra_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entra_photo_hash: Mapped[str | None] = mapped_column(String(64))
    entra_photo_path: Mapped[str | None] = mapped_column(String(512))
    entra_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Local overrides: never written by a sync.
    display_name_override: Mapped[str | None] = mapped_column(String(256))
    public_title_override: Mapped[str | None] = mapped_column(String(256))
    public_phone_override: Mapped[str | None] = mapped_column(String(64))
    public_email_override: Mapped[str | None] = mapped_column(String(320))
    photo_override_path: Mapped[str | None] = mapped_column(String(512))
    show_publicly: Mapped[bool] = mapped_column(Boolean, default=False)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[EmployeeContact | None] = relationship(
        back_populates="employee", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # a disabled or removed Entra account cannot use a MyGov session
        return self.account_enabled and self.entra_removed_at is None

    @property
    def display_name(self) -> str:
        return self.display_name_override or self.legal_name or self.upn or self.entra_oid

    def __repr__(self) -> str:
        return f"<Employee {self.display_name!r} oid={self.entra_oid}>"


class EmployeeContact(db.Model):
    """The public-facing contact values: each the override if set, else the Entra value."""

    __tablename__ = "employee_contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), unique=True)
    display_name: Mapped[str] = mapped_column(String(256))
    public_title: Mapped[str | None] = mapped_column(String(256))
    department: Mapped[str | None] = mapped_column(String(256), index=True)
    public_phone: Mapped[str | None] = mapped_column(String(64))
    public_email: Mapped[str | None] = mapped_column(String(320))
    photo_path: Mapped[str | None] = mapped_column(String(512), index=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    employee: Mapped[Employee] = relationship(back_populates="contact")


EXTRA_CONTACT_KINDS = ("phone", "email", "hours")


class EmployeeExtraContact(db.Model):
    """A phone number, email address or office hours staff add to an employee, each public or not."""

    __tablename__ = "employee_extra_contact"
    __table_args__ = (CheckConstraint("kind IN ('phone', 'email', 'hours')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64))  # "Mobile", "Front desk", "Summer hours"
    value: Mapped[str] = mapped_column(String(320))
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
