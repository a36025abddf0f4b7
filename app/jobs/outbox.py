"""The outbox: a write owed to Microsoft 365, recorded in the same transaction as the change.

Services call `record_operation(...)` inside their unit of work. Nothing is enqueued until the
transaction commits; after the commit each new operation is put on its RQ queue. If the commit
rolls back, the operation never existed. If enqueueing fails (Redis down), the row is still
pending and the sweeper enqueues it later, so nothing is lost.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs.models import GraphOperation

log = logging.getLogger(__name__)

QUEUE_BY_KIND_PREFIX = {"send_": "mail", "sync_": "sync"}
_PENDING_KEY = "mygov_outbox_new_operations"


def queue_for(kind: str) -> str:
    for prefix, queue in QUEUE_BY_KIND_PREFIX.items():
        if kind.startswith(prefix):
            return queue
    return "graph"


def record_operation(
    kind: str,
    *,
    target_type: str,
    target_id: str | int,
    payload: dict[str, Any],
    idempotency_key: str,
) -> GraphOperation:
    """Add an operation to the current transaction; it is enqueued only after COMMIT."""
    operation = GraphOperation(
        kind=kind,
        queue=queue_for(kind),
        target_type=target_type,
        target_id=str(target_id),
        payload=payload,
        idempotency_key=idempotency_key,
        status="pending",
    )
    db.session.add(operation)
    db.session.info.setdefault(_PENDING_KEY, []).append((operation, operation.queue))
    return operation


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    operations = session.info.pop(_PENDING_KEY, [])
    if not operations:
        return
    from app.jobs.dispatch import enqueue_operation

    for operation, queue in operations:
        identity = inspect(operation).identity  # kept after commit expires the attributes
        if identity is None:
            continue
        try:
            enqueue_operation(identity[0], queue)
        except Exception:  # Redis unreachable: the row stays pending for the sweeper
            log.exception("could not enqueue graph operation %s; the sweeper will", identity[0])


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
