"""Running one outbox operation: claim it, call Graph, record the outcome, release the next one.

Ordering: an operation runs only when every earlier operation on the same target has finished,
except that a delete supersedes earlier creates/updates that are not running (a create that was
sent before may have reached Exchange: the delete handler looks for its event by transactionId, so
no orphan event) and an update after a delete is dropped. Claiming is one conditional UPDATE, so two workers never
run the same row. A claimed row holds a lease; the sweeper releases rows whose worker died.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.graph import GraphError, GraphThrottled
from app.jobs.handlers import DROPPED_AFTER, HANDLERS, SUPERSEDES, notify_listeners
from app.jobs.models import GraphOperation
from app.sqltypes import utcnow

log = logging.getLogger(__name__)

UNFINISHED = ("pending", "running", "failed", "dead")
# What Exchange Online answers for a mailbox outside the app's management scope (RBAC for Applications).
WAITING_FOR_IT_CODE = "ErrorAccessDenied"


@dataclass(frozen=True)
class RunOutcome:
    status: str  # done | retry | failed | dead | superseded | blocked | skipped
    detail: str = ""


def earlier_on_target(operation: GraphOperation, statuses: tuple[str, ...]) -> list[GraphOperation]:
    return list(db.session.scalars(
        select(GraphOperation).where(
            GraphOperation.target_type == operation.target_type,
            GraphOperation.target_id == operation.target_id,
            GraphOperation.id < operation.id,
            GraphOperation.status.in_(statuses),
        ).order_by(GraphOperation.id)
    ))


def _resolve_order(operation: GraphOperation, now: datetime) -> RunOutcome | None:
    """None when the operation may run now; otherwise why not (and any superseding done)."""
    dropped_after = DROPPED_AFTER.get(operation.kind, frozenset())
    # A create after the delete (an event published again) starts a new life: its updates run.
    lives = [op for op in earlier_on_target(operation, (*UNFINISHED, "done"))
             if op.kind in dropped_after or op.kind == "create_event"] if dropped_after else []
    if lives and lives[-1].kind in dropped_after:
        _mark(operation, "superseded", now, error=("dropped", "an earlier delete removed the event"))
        return RunOutcome("superseded", "after a delete")
    superseded_kinds = SUPERSEDES.get(operation.kind, frozenset())
    for earlier in earlier_on_target(operation, UNFINISHED):
        if earlier.kind not in superseded_kinds or not _supersede(earlier, operation, now):
            return RunOutcome("blocked", f"waits for operation {earlier.id}")
    return None


def _supersede(earlier: GraphOperation, by: GraphOperation, now: datetime) -> bool:
    """Mark an earlier operation superseded unless a worker claimed it meanwhile (then wait for it)."""
    taken = db.session.execute(
        update(GraphOperation)
        .where(GraphOperation.id == earlier.id, GraphOperation.status.in_(("pending", "failed", "dead")))
        .values(status="superseded", completed_at=now, next_attempt_at=None, lease_expires_at=None,
                last_error_code="superseded", last_error_message=f"superseded by operation {by.id}")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(earlier)
    return taken == 1


def _mark(operation: GraphOperation, status: str, now: datetime, *, error: tuple[str, str] | None = None) -> None:
    operation.status = status
    operation.lease_expires_at = None
    operation.next_attempt_at = None
    if status in ("done", "superseded"):
        operation.completed_at = now
    if error:
        operation.last_error_code, operation.last_error_message = error


def claim(operation_id: int, now: datetime) -> tuple[GraphOperation | None, RunOutcome | None]:
    operation = db.session.get(GraphOperation, operation_id)
    if operation is None or operation.status != "pending":
        return None, RunOutcome("skipped", "not pending")
    if operation.next_attempt_at and operation.next_attempt_at > now:
        return None, RunOutcome("skipped", "not due yet")
    blocked = _resolve_order(operation, now)
    if blocked:
        db.session.commit()
        return None, blocked
    lease = timedelta(seconds=int(current_app.config["OUTBOX_LEASE_SECONDS"]))
    claimed = db.session.execute(
        update(GraphOperation)
        .where(GraphOperation.id == operation_id, GraphOperation.status == "pending")
        .values(status="running", attempts=GraphOperation.attempts + 1, send_count=GraphOperation.send_count + 1,
                lease_expires_at=now + lease,
                next_attempt_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return None, RunOutcome("skipped", "claimed by another worker")
    db.session.refresh(operation)
    return operation, None


def run(operation_id: int, graph_factory: Any) -> RunOutcome:
    """Run one operation; `graph_factory()` gives the Graph client (lazily: blocked rows need none)."""
    operation, outcome = claim(operation_id, utcnow())
    if operation is None:
        return outcome or RunOutcome("skipped")
    handler = HANDLERS.get(operation.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for operation kind {operation.kind!r}")
        result = handler(operation, graph_factory())
    except GraphError as error:
        outcome = _record_failure(operation, error)
    except LookupError as error:
        outcome = _fail(operation, "failed", ("unknownKind", str(error)))
    except Exception as error:  # a fault of ours or the database: retried, then dead
        db.session.rollback()
        log.exception("outbox operation %s raised", operation_id)
        operation = db.session.get(GraphOperation, operation_id)
        outcome = _retry_or_die(operation, ("internalError", f"{type(error).__name__}: {error}"), None)
    else:
        _mark(operation, "done", utcnow())
        operation.result = result
        operation.last_error_status = None
        notify_listeners(operation, result)
        db.session.commit()
        outcome = RunOutcome("done")
    if outcome.status != "retry":
        release_next(operation)
    return outcome


def _record_failure(operation: GraphOperation, error: GraphError) -> RunOutcome:
    operation.last_error_status = error.status
    operation.last_error_request_id = error.request_id
    detail = (error.code, error.message)
    if refused_by_exchange_scope(error) and operation.payload.get("mailbox"):
        return _wait_for_it(operation, detail)
    if error.is_transient:
        return _retry_or_die(operation, detail, error.retry_after if isinstance(error, GraphThrottled) else None)
    return _fail(operation, "failed", detail)


def _retry_or_die(operation: GraphOperation, detail: tuple[str, str], retry_after: float | None) -> RunOutcome:
    now = utcnow()
    if operation.attempts >= int(current_app.config["OUTBOX_MAX_ATTEMPTS"]):
        return _fail(operation, "dead", detail)
    delay = retry_after if retry_after is not None else backoff_seconds(operation.attempts)
    operation.status = "pending"
    operation.lease_expires_at = None
    operation.next_attempt_at = now + timedelta(seconds=delay)
    operation.last_error_code, operation.last_error_message = detail
    db.session.commit()
    return RunOutcome("retry", f"in {delay:.1f}s")


def _wait_for_it(operation: GraphOperation, detail: tuple[str, str]) -> RunOutcome:
    """Exchange refuses this mailbox to the app (outside its RBAC for Applications scope, or the
    app lacks the mail/calendar permission: Graph answers both alike): only IT can change that, so the row waits without using up its attempts, is tried again later on its
    own, and at once when staff say IT has fixed it (jobs.services.retry_waiting_for_it)."""
    from app.jobs.notifications import notify_operation_failed

    delay = int(current_app.config["EXCHANGE_SCOPE_RETRY_SECONDS"])
    first_refusal = operation.last_error_code != WAITING_FOR_IT_CODE
    operation.attempts = max(0, operation.attempts - 1)
    operation.status = "pending"
    operation.lease_expires_at = None
    operation.next_attempt_at = utcnow() + timedelta(seconds=delay)
    operation.last_error_code, operation.last_error_message = detail
    if first_refusal:  # Exchange answers the same for a missing permission: admins hear of it once
        notify_operation_failed(operation, "waiting for IT")
    db.session.commit()
    return RunOutcome("retry", f"waiting for IT; tried again in {delay} s")


def refused_by_exchange_scope(error: GraphError) -> bool:
    return error.status == 403 and error.code == WAITING_FOR_IT_CODE


def backoff_seconds(attempts: int) -> float:
    base = min(2.0 ** attempts, 900.0)
    return base * random.uniform(0.5, 1.0)


def _fail(operation: GraphOperation, status: str, detail: tuple[str, str]) -> RunOutcome:
    from app.jobs.notifications import notify_operation_failed

    _mark(operation, status, utcnow(), error=detail)
    notify_operation_failed(operation)
    db.session.commit()
    return RunOutcome(status, detail[1])


def release_next(operation: GraphOperation) -> None:
    """Enqueue the next pending operation on the same target now that this one has finished."""
    from app.jobs.dispatch import enqueue_operation

    following = db.session.scalar(
        select(GraphOperation).where(
            GraphOperation.target_type == operation.target_type,
            GraphOperation.target_id == operation.target_id,
            GraphOperation.id > operation.id,
            GraphOperation.status == "pending",
            GraphOperation.next_attempt_at.is_(None),
        ).order_by(GraphOperation.id).limit(1)
    )
    if following is not None:
        try:
            enqueue_operation(following.id, following.queue)
        except Exception:
            log.exception("could not enqueue operation %s; the sweeper will", following.id)
