"""The outbox (GraphOperation), scheduled server jobs, and sync cursors."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.sqltypes import UTCDateTime, utcnow

OPERATION_STATUSES = ("pending", "running", "done", "failed", "dead", "superseded")


class GraphOperation(db.Model):
    """One write MyGov owes Microsoft 365, committed with the change that caused it."""

    __tablename__ = "graph_operation"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'running', 'done', 'failed', 'dead', 'superseded')",
            name="status",
        ),
        Index("ix_graph_operation_target", "target_type", "target_id", "id"),
        Index("ix_graph_operation_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    queue: Mapped[str] = mapped_column(String(16), default="graph")
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Times a worker took the row and may have reached Graph; unlike attempts, a retry never resets it.
    send_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error_status: Mapped[int | None] = mapped_column(Integer)
    last_error_code: Mapped[str | None] = mapped_column(String(128))
    last_error_message: Mapped[str | None] = mapped_column(Text)
    last_error_request_id: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ServerJob(db.Model):
    """A scheduled action from the registry; its schedule is data, editable on the ops screen."""

    __tablename__ = "server_job"
    __table_args__ = (
        CheckConstraint(
            "(cron IS NOT NULL AND interval_seconds IS NULL)"
            " OR (cron IS NULL AND interval_seconds IS NOT NULL)",
            name="one_schedule",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    action: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cron: Mapped[str | None] = mapped_column(String(128))
    interval_seconds: Mapped[int | None] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_duration_seconds: Mapped[float | None] = mapped_column(Float)
    last_summary: Mapped[str | None] = mapped_column(Text)

    runs: Mapped[list[ServerJobRun]] = relationship(
        back_populates="job", order_by="ServerJobRun.started_at.desc()"
    )


class ServerJobRun(db.Model):
    __tablename__ = "server_job_run"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'succeeded', 'failed')", name="status"),
        # One run per due time: concurrent schedulers race on this insert and only one wins.
        UniqueConstraint("job_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("server_job.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)

    job: Mapped[ServerJob] = relationship(back_populates="runs")


class SyncState(db.Model):
    """Cursors such as Graph delta links, stored verbatim."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
