"""One row per Graph subscription MyGov keeps: what it watches and how it is doing.

The clientState Graph echoes is never stored: it is an HMAC of the row's `state_nonce` under the
app's secret key (see services.client_state), so the database holds no secret.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.sqltypes import UTCDateTime, utcnow

PURPOSES = ("room_events", "outlook_calendar", "sender_inbox", "users")
STATUSES = ("pending", "active", "failed", "removed")


class GraphSubscription(db.Model):
    __tablename__ = "graph_subscription"
    __table_args__ = (
        UniqueConstraint("purpose", "target", name="uq_graph_subscription_target"),
        CheckConstraint(f"purpose IN {PURPOSES}", name="purpose"),
        CheckConstraint(f"status IN {STATUSES}", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    # The mailbox address (rooms, Outlook sources, the sender) or "" for the directory.
    target: Mapped[str] = mapped_column(String(320), default="")
    resource: Mapped[str] = mapped_column(String(500))
    graph_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    state_nonce: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_notification_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notifications: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
