"""The outbox: committed with the change, run once in order, retried, never lost."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.jobs.models import GraphOperation
from app.jobs.queue import get_queue
from app.jobs.runner import run
from app.jobs.sweeper import (
    enqueue_due_retries,
    release_expired_leases,
    requeue_lost,
    sweep,
)
from app.microsoft import graph_client
from app.sqltypes import utcnow
from tests.factories import grant, make_employee
from tests.jobs.helpers import ROOM, drain, record_event


def _subjects(tenant) -> list[str]:
    return sorted(e["subject"] for e in tenant.events(ROOM) if e.get("subject", "").startswith("Blocked"))


def test_nothing_is_enqueued_before_commit_and_nothing_after_rollback(app, tenant):
    record_event("create_event", "1", "k-1")
    assert get_queue("graph").count == 0
    db.session.rollback()
    assert get_queue("graph").count == 0 and db.session.scalar(select(GraphOperation)) is None
    record_event("create_event", "1", "k-1")
    db.session.commit()
    assert get_queue("graph").count == 1


def test_the_worker_creates_the_event_and_keeps_its_id(app, tenant):
    operation = record_event("create_event", "1", "k-create")
    db.session.commit()
    drain()
    assert operation.status == "done" and operation.attempts == 1
    assert [e["id"] for e in tenant.events(ROOM) if e["subject"] == "Blocked"] == [operation.result["event_id"]]


def test_running_a_finished_operation_again_does_nothing(app, tenant):
    operation = record_event("create_event", "1", "k-once")
    db.session.commit()
    drain()
    assert run(operation.id, lambda: graph_client()).status == "skipped"
    assert _subjects(tenant) == ["Blocked"]


def test_a_delete_enqueued_right_after_its_create_leaves_no_event(app, tenant):
    create = record_event("create_event", "7", "k7-create")
    db.session.commit()
    delete = record_event("delete_event", "7", "k7-delete")
    db.session.commit()
    drain()  # in queue order: the create runs, then the delete removes what it made
    assert (create.status, delete.status) == ("done", "done")
    assert _subjects(tenant) == []


def test_a_delete_that_runs_before_its_create_supersedes_it(app, tenant):
    create = record_event("create_event", "7", "k7-create")
    delete = record_event("delete_event", "7", "k7-delete")
    db.session.commit()
    assert run(delete.id, graph_client).status == "done"  # another worker took the delete first
    drain()
    assert (create.status, delete.status) == ("superseded", "done")
    assert delete.result == {"deleted": False, "reason": "no Exchange event was created"}
    assert _subjects(tenant) == []


def test_a_delete_after_the_create_ran_removes_the_event_and_a_later_update_is_dropped(app, tenant):
    create = record_event("create_event", "8", "k8-create")
    db.session.commit()
    drain()
    delete = record_event("delete_event", "8", "k8-delete")
    update = record_event("update_event", "8", "k8-update", subject="Blocked again")
    db.session.commit()
    drain()
    assert (create.status, delete.status, update.status) == ("done", "done", "superseded")
    assert delete.result["event_id"] == create.result["event_id"]
    assert _subjects(tenant) == []


def test_operations_on_one_target_run_in_creation_order(app, tenant):
    create = record_event("create_event", "9", "k9-create", subject="Blocked 1")
    update = record_event("update_event", "9", "k9-update", subject="Blocked 2")
    db.session.commit()
    # The update's queue entry runs first (as a second worker might): it must wait for the create.
    assert run(update.id, graph_client).status == "blocked"
    drain()
    assert (create.status, update.status) == ("done", "done")
    assert _subjects(tenant) == ["Blocked 2"]


def test_throttling_is_retried_after_retry_after(app, tenant):
    tenant.throttle(share=1.0, retry_after=30)
    app.config["GRAPH_MAX_ATTEMPTS"] = 1
    operation = record_event("create_event", "10", "k10")
    db.session.commit()
    drain()
    assert operation.status == "pending" and operation.last_error_status == 429
    assert operation.next_attempt_at >= utcnow() + timedelta(seconds=25)
    tenant.clear_faults()
    assert enqueue_due_retries(utcnow()) == 0  # not due yet
    assert enqueue_due_retries(utcnow() + timedelta(seconds=31)) == 1
    drain()
    assert operation.status == "done" and operation.attempts == 2
    assert _subjects(tenant) == ["Blocked"]


def test_a_permanent_error_fails_at_once_and_tells_platform_admins(app, tenant):
    admin = make_employee("Platform Admin")
    grant(admin, "platform.admin")
    tenant.set_app_roles(["User.Read.All"])
    graph_client().tokens.invalidate()  # a new app token carries the reduced roles
    operation = record_event("create_event", "11", "k11")
    db.session.commit()
    drain()
    assert operation.status == "failed" and operation.attempts == 1
    assert operation.last_error_status == 403 and operation.last_error_request_id
    alert = db.session.scalar(select(GraphOperation).where(GraphOperation.kind == "send_mail"))
    assert alert.payload["message"]["toRecipients"] == [{"emailAddress": {"address": admin.mail}}]
    assert "request-id" in alert.payload["message"]["body"]["content"].lower() or \
        operation.last_error_request_id in alert.payload["message"]["body"]["content"]


def test_after_the_last_attempt_the_operation_is_dead(app, tenant):
    app.config["OUTBOX_MAX_ATTEMPTS"] = "2"
    app.config["GRAPH_MAX_ATTEMPTS"] = 1
    tenant.throttle(share=1.0, retry_after=0, status=503)
    operation = record_event("create_event", "12", "k12")
    db.session.commit()
    drain()
    enqueue_due_retries(utcnow() + timedelta(hours=1))
    drain()
    assert operation.status == "dead" and operation.attempts == 2
    tenant.clear_faults()


def test_flushed_redis_loses_nothing(app, tenant):
    operations = [record_event("create_event", str(100 + n), f"flush-{n}", subject=f"Blocked {n}") for n in range(50)]
    db.session.commit()
    from app.jobs.queue import get_redis

    get_redis().flushall()
    assert get_queue("graph").count == 0
    assert requeue_lost(utcnow() + timedelta(seconds=5)) == 50
    drain()
    assert {op.status for op in operations} == {"done"}
    assert len(_subjects(tenant)) == 50


def test_a_worker_that_died_mid_operation_is_released_and_the_effect_happens_once(app, tenant):
    operation = record_event("create_event", "13", "k13")
    db.session.commit()
    from app.jobs.graph_operations import create_event
    from app.jobs.runner import claim

    claim(operation.id, utcnow())                 # a worker took it...
    create_event(operation, graph_client())       # ...wrote to Exchange, then was killed before recording it
    db.session.rollback()
    get_queue("graph").empty()
    assert release_expired_leases(utcnow() + timedelta(minutes=5)) == 1
    drain()
    assert operation.status == "done" and operation.attempts == 2
    assert _subjects(tenant) == ["Blocked"]  # transactionId: the retried POST was the same event


def test_the_sweeper_runs_as_a_server_job(app, tenant):
    assert sweep() == {"released": 0, "retries_enqueued": 0, "requeued": 0}
