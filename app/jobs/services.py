"""Operations staff perform on outbox rows (the ops screens call these); server jobs are app.jobs.schedules."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.access.services import audit
from app.extensions import db
from app.jobs.dispatch import enqueue_operation
from app.jobs.models import GraphOperation
from app.jobs.runner import release_next
from app.people.models import Employee


def _reset(operation: GraphOperation) -> dict[str, Any]:
    before = {"status": operation.status, "attempts": operation.attempts}
    operation.status, operation.attempts = "pending", 0
    operation.next_attempt_at = operation.lease_expires_at = None
    return before


def retry_operation(operation: GraphOperation, actor: Employee) -> None:
    """Give a failed or dead operation a fresh set of attempts, now."""
    if operation.status not in ("failed", "dead"):
        raise ValueError("Only failed or dead operations can be retried.")
    before = _reset(operation)
    audit(actor, "outbox.retry", "graph_operation", operation.id, before, {"status": "pending"})
    db.session.commit()
    enqueue_operation(operation.id, operation.queue)


def retry_all_dead(actor: Employee) -> int:
    """Every dead operation gets a fresh set of attempts: one audit entry names them all."""
    dead = db.session.scalars(select(GraphOperation).where(GraphOperation.status == "dead")
                              .order_by(GraphOperation.id).with_for_update()).all()
    if not dead:
        return 0
    for operation in dead:
        _reset(operation)
    audit(actor, "outbox.retry_all_dead", "graph_operation", "dead", {"count": len(dead)},
          {"operations": [operation.id for operation in dead][:500]})
    db.session.commit()
    for operation in dead:
        enqueue_operation(operation.id, operation.queue)
    return len(dead)


def retry_waiting_for_it(mailbox: str, actor: Employee) -> int:
    """IT says the mailbox is in MyGov's Exchange scope now: its waiting writes are tried at once."""
    from app.jobs.queries import waiting_for_it

    rows = waiting_for_it(mailbox).get(mailbox.lower(), [])
    for operation in rows:
        operation.next_attempt_at = None
    if rows:
        audit(actor, "outbox.retry_waiting_for_it", "mailbox", mailbox.lower(), {},
               {"operations": [operation.id for operation in rows]})
    db.session.commit()
    for operation in rows:
        enqueue_operation(operation.id, operation.queue)
    return len(rows)


def cancel_operation(operation: GraphOperation, actor: Employee) -> None:
    """Give up on an operation that has not run (or cannot succeed); Microsoft 365 is left as it is."""
    if operation.status not in ("pending", "failed", "dead"):
        raise ValueError("Only pending, failed or dead operations can be cancelled.")
    before = {"status": operation.status}
    operation.status = "superseded"
    operation.next_attempt_at = None
    operation.last_error_code = "cancelled"
    operation.last_error_message = f"cancelled by {actor.display_name}"
    audit(actor, "outbox.cancel", "graph_operation", operation.id, before, {"status": "superseded"})
    db.session.commit()
    release_next(operation)
