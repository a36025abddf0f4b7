"""Outgoing mail log: what MyGov sent through Graph and whether it bounced."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.sqltypes import UTCDateTime, utcnow


class EmailMessage(db.Model):
    __tablename__ = "email_message"
    __table_args__ = (
        CheckConstraint(
            "send_status IN ('queued', 'sent', 'failed')", name="send_status"
        ),
        CheckConstraint(
            "delivery_status IS NULL OR delivery_status IN ('sent', 'bounced')",
            name="delivery_status",
        ),
        Index("ix_email_message_related", "related_type", "related_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template: Mapped[str] = mapped_column(String(100))
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    related_type: Mapped[str | None] = mapped_column(String(64))
    related_id: Mapped[str | None] = mapped_column(String(64))
    # Marker placed in the message so a bounce report can be matched back to this row.
    internet_message_id: Mapped[str | None] = mapped_column(String(300), unique=True)
    send_status: Mapped[str] = mapped_column(String(16), default="queued")
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    bounce_detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailTemplateVersion(db.Model):
    """An admin's wording of one mail template; the highest number is what MyGov sends."""

    __tablename__ = "mail_template_version"
    __table_args__ = (UniqueConstraint("template", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
