"""Read-only views of the outbox, server jobs and queues for the ops screens."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rq import Queue
from sqlalchemy import Select, func, select

from app.extensions import db
from app.jobs.models import OPERATION_STATUSES, GraphOperation, ServerJob, ServerJobRun
from app.jobs.queue import QUEUE_NAMES, get_redis, live_workers

PAGE_SIZE = 50


@dataclass(frozen=True)
class OutboxFilter:
    status: str = ""
    kind: str = ""
    target: str = ""  # "type" or "type:id"

    @classmethod
    def from_args(cls, args: Any) -> OutboxFilter:
        status = args.get("status", "")
        return cls(
            status=status if status in OPERATION_STATUSES else "",
            kind=args.get("kind", "").strip()[:64],
            target=args.get("target", "").strip()[:130],
        )

    def apply(self, query: Select) -> Select:
        if self.status:
            query = query.where(GraphOperation.status == self.status)
        if self.kind:
            query = query.where(GraphOperation.kind == self.kind)
        if self.target:
            target_type, _, target_id = self.target.partition(":")
            query = query.where(GraphOperation.target_type == target_type)
            if target_id:
                query = query.where(GraphOperation.target_id == target_id)
        return query


def outbox_page(filters: OutboxFilter, page: int) -> tuple[list[GraphOperation], int]:
    query = filters.apply(select(GraphOperation))
    total = db.session.scalar(filters.apply(select(func.count()).select_from(GraphOperation))) or 0
    rows = db.session.scalars(
        query.order_by(GraphOperation.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return list(rows), total


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(select(GraphOperation.status, func.count()).group_by(GraphOperation.status))
    return {status: count for status, count in rows}


def dead_operations(limit: int = 500) -> list[GraphOperation]:
    return list(db.session.scalars(
        select(GraphOperation).where(GraphOperation.status == "dead").order_by(GraphOperation.id).limit(limit)))


def operation_kinds() -> list[str]:
    return list(db.session.scalars(select(GraphOperation.kind).distinct().order_by(GraphOperation.kind)))


def server_jobs() -> list[ServerJob]:
    return list(db.session.scalars(select(ServerJob).order_by(ServerJob.name)))


def recent_runs(job: ServerJob, limit: int = 20) -> list[ServerJobRun]:
    return list(db.session.scalars(
        select(ServerJobRun).where(ServerJobRun.job_id == job.id).order_by(ServerJobRun.id.desc()).limit(limit)
    ))


def queue_depths() -> dict[str, int]:
    connection = get_redis()
    return {name: Queue(name, connection=connection).count for name in QUEUE_NAMES}


def workers() -> list[dict[str, Any]]:
    return [
        {"name": w.name, "state": w.get_state(), "last_heartbeat": w.last_heartbeat,
         "queues": ", ".join(w.queue_names())}
        for w in live_workers(get_redis())
    ]


def waiting_for_it(mailbox: str | None = None) -> dict[str, list[GraphOperation]]:
    """Pending writes Exchange refused as outside MyGov's scope, by mailbox (lower-case)."""
    from app.jobs.runner import WAITING_FOR_IT_CODE

    rows = db.session.scalars(select(GraphOperation).where(
        GraphOperation.status == "pending", GraphOperation.last_error_code == WAITING_FOR_IT_CODE,
    ).order_by(GraphOperation.id))
    found: dict[str, list[GraphOperation]] = {}
    for row in rows:
        address = str(row.payload.get("mailbox") or "").lower()
        if address and (mailbox is None or address == mailbox.lower()):
            found.setdefault(address, []).append(row)
    return found
