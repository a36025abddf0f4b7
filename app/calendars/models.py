"""Public calendars and their events (native, or published from Outlook by staff)."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.facilities.models import Facility
from app.sqltypes import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.people.models import Employee

# "deleted": a published (or cancelled) event staff deleted; gone from the pages and feeds, kept for the audit.
EVENT_STATUSES = ("draft", "published", "cancelled", "deleted")
EVENT_SOURCES = ("mygov", "outlook")


class Calendar(db.Model):
    __tablename__ = "calendar"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    # Where MyGov writes this calendar's events in Exchange (distinct from a room's identity).
    exchange_calendar_address: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    events: Mapped[list[CalendarEvent]] = relationship(back_populates="calendar")


class CalendarEvent(db.Model):
    """One event or recurring series. Timed events use start_at/end_at (UTC) + time_zone;
    all-day events use start_date/end_date (end exclusive)."""

    __tablename__ = "calendar_event"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'cancelled', 'deleted')", name="status"),
        CheckConstraint("source IN ('mygov', 'outlook')", name="source"),
        CheckConstraint(
            "(all_day AND start_date IS NOT NULL AND end_date > start_date"
            " AND start_at IS NULL AND end_at IS NULL)"
            " OR (NOT all_day AND start_at IS NOT NULL AND end_at > start_at"
            " AND start_date IS NULL AND end_date IS NULL)",
            name="times_consistent",
        ),
        CheckConstraint("sequence >= 0", name="sequence_non_negative"),
        UniqueConstraint("outlook_source_id", "outlook_event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id"), index=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_date: Mapped[date | None] = mapped_column(Date, index=True)
    end_date: Mapped[date | None] = mapped_column(Date)
    time_zone: Mapped[str] = mapped_column(String(64))
    rrule: Mapped[str | None] = mapped_column(Text)
    # Skipped occurrences, as their original local start (ISO strings in time_zone).
    exdates: Mapped[list[str]] = mapped_column(JSON, default=list)
    location: Mapped[str] = mapped_column(String(300), default="")
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id"))
    image_url: Mapped[str | None] = mapped_column(String(1024))
    image_alt: Mapped[str | None] = mapped_column(String(500))
    registration_url: Mapped[str | None] = mapped_column(String(1024))
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    exchange_event_id: Mapped[str | None] = mapped_column(String(256))
    source: Mapped[str] = mapped_column(String(16), default="mygov")
    outlook_source_id: Mapped[int | None] = mapped_column(ForeignKey("outlook_import_source.id"))
    outlook_event_id: Mapped[str | None] = mapped_column(String(256))
    outlook_change_key: Mapped[str | None] = mapped_column(String(256))
    # Outlook's fields as last taken or kept by staff (row name -> shown value): what tells a staff
    # edit on the website from a change in Outlook.
    outlook_snapshot: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # "changed" or "deleted" when the server job found Outlook moved on; None once staff dealt with it.
    outlook_pending: Mapped[str | None] = mapped_column(String(16), index=True)
    # The Outlook change key the publisher was last told about (one email per change).
    outlook_notified_key: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    calendar: Mapped[Calendar] = relationship(back_populates="events")
    outlook_source: Mapped[OutlookImportSource | None] = relationship()
    facility: Mapped[Facility | None] = relationship()
    overrides: Mapped[list[CalendarEventOverride]] = relationship(
        back_populates="event", cascade="all, delete-orphan",
        order_by="CalendarEventOverride.recurrence_id",
    )


class CalendarEventOverride(db.Model):
    """A moved (or individually cancelled) occurrence of a recurring event (RECURRENCE-ID)."""

    __tablename__ = "calendar_event_override"
    __table_args__ = (
        UniqueConstraint("event_id", "recurrence_id"),
        CheckConstraint("end_at > start_at", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("calendar_event.id"))
    # The occurrence's original start, in UTC.
    recurrence_id: Mapped[datetime] = mapped_column(UTCDateTime)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str | None] = mapped_column(String(300))
    location: Mapped[str | None] = mapped_column(String(300))

    event: Mapped[CalendarEvent] = relationship(back_populates="overrides")


class CalendarCategory(db.Model):
    """One entry of a calendar's category list; a retired one stays on its events but is offered no more."""

    __tablename__ = "calendar_category"
    __table_args__ = (UniqueConstraint("calendar_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id"))
    name: Mapped[str] = mapped_column(String(100))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutlookImportSource(db.Model):
    """A mailbox or shared calendar whose Outlook events staff may publish to one MyGov calendar.

    Configured by platform admins; reading it never changes the website (issue 10)."""

    __tablename__ = "outlook_import_source"
    __table_args__ = (UniqueConstraint("mailbox", "outlook_calendar_id", "calendar_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    mailbox: Mapped[str] = mapped_column(String(320))
    # A calendar of that mailbox other than its default one (Graph calendar id); None = default.
    outlook_calendar_id: Mapped[str | None] = mapped_column(String(256))
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    calendar: Mapped[Calendar] = relationship()


class PublishingMailbox(db.Model):
    """A mailbox other than a room that a platform admin approved for calendar publishing.

    A calendar may write only to a room mailbox MyGov manages or to one of these: the app's
    Calendars.ReadWrite reaches every mailbox in the tenant, so the address alone must not decide.
    """

    __tablename__ = "publishing_mailbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    reason: Mapped[str] = mapped_column(String(500), default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


REVISION_STATUSES = ("pending", "applied", "discarded")


class CalendarEventRevision(db.Model):
    """An editor's change to a published event, waiting for a publisher to apply or discard it."""

    __tablename__ = "calendar_event_revision"
    __table_args__ = (CheckConstraint("status IN ('pending', 'applied', 'discarded')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("calendar_event.id"), index=True)
    # What the editor typed (EventInput's fields), applied through the same validation as a save.
    proposed: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[CalendarEvent] = relationship()
    proposed_by: Mapped[Employee | None] = relationship(foreign_keys=[proposed_by_id])
