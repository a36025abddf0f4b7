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
from tests.jobs.helpers import ROOM, drain, lose_redis_data, record_event


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


def test_an_access_denied_write_waits_for_it_and_tells_platform_admins_once(app, tenant):
    """Graph answers a missing Calendars permission like a mailbox outside the app's Exchange scope
    (403 ErrorAccessDenied): only IT can fix either, so the row waits with its attempts intact."""
    admin = make_employee("Platform Admin")
    grant(admin, "platform.admin")
    tenant.set_app_roles(["User.Read.All"])
    graph_client().tokens.invalidate()  # a new app token carries the reduced roles
    operation = record_event("create_event", "11", "k11")
    db.session.commit()
    drain()
    assert operation.status == "pending" and operation.attempts == 0
    assert operation.last_error_status == 403 and operation.last_error_request_id
    alert = db.session.scalar(select(GraphOperation).where(GraphOperation.kind == "send_mail"))
    assert alert.payload["message"]["toRecipients"] == [{"emailAddress": {"address": admin.mail}}]
    assert "(waiting for IT)" in alert.payload["message"]["subject"]
    assert operation.last_error_request_id in alert.payload["message"]["body"]["content"]


def test_a_permanent_error_fails_at_once_and_tells_platform_admins(app, tenant):
    admin = make_employee("Platform Admin")
    grant(admin, "platform.admin")
    operation = record_event("create_event", "11", "k11")
    operation.payload = {**operation.payload, "event": {**operation.payload["event"], "start": {"dateTime": "soon"}}}
    db.session.commit()
    drain()
    assert operation.status == "failed" and operation.attempts == 1
    assert operation.last_error_status == 400 and operation.last_error_request_id
    alert = db.session.scalar(select(GraphOperation).where(GraphOperation.kind == "send_mail"))
    assert alert.payload["message"]["toRecipients"] == [{"emailAddress": {"address": admin.mail}}]
    assert operation.last_error_request_id in alert.payload["message"]["body"]["content"]


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
    lose_redis_data()
    assert get_queue("graph").count == 0
    assert requeue_lost(utcnow() + timedelta(seconds=5)) == 50
    drain()
    assert {op.status for op in operations} == {"done"}
    assert len(_subjects(tenant)) == 50


def test_a_worker_that_died_mid_operation_is_released_and_the_effect_happens_once(app, tenant):
    tenant.deduplicate_transaction_ids(False)  # our own record must hold, not Graph's best effort
    operation = record_event("create_event", "13", "k13")
    db.session.commit()
    from app.jobs.graph_operations import create_event
    from app.jobs.runner import claim

    claim(operation.id, utcnow())                 # a worker took it...
    create_event(operation, graph_client())       # ...wrote to Exchange, then was killed before recording it
    db.session.rollback()
    get_queue("graph").empty()
    assert release_expired_leases(utcnow() + timedelta(hours=1)) == 1
    drain()
    assert operation.status == "done" and operation.attempts == 2
    assert operation.result["found_by"] == "transactionId"  # looked for before sending again
    assert _subjects(tenant) == ["Blocked"]
    assert operation.result["event_id"] == [e["id"] for e in tenant.events(ROOM) if e["subject"] == "Blocked"][0]


def test_a_create_that_timed_out_after_exchange_took_it_is_not_written_twice(app, tenant):
    tenant.deduplicate_transaction_ids(False)
    tenant.time_out_after_applying(f"/users/{ROOM}/events")
    app.config["GRAPH_MAX_ATTEMPTS"] = 1
    operation = record_event("create_event", "14", "k14")
    db.session.commit()
    drain()
    assert operation.status == "pending" and operation.last_error_status == 504
    assert _subjects(tenant) == ["Blocked"]  # Exchange has it although the answer was a timeout
    enqueue_due_retries(utcnow() + timedelta(hours=1))
    drain()
    assert operation.status == "done" and _subjects(tenant) == ["Blocked"]


def test_a_cancel_after_a_create_that_may_have_reached_exchange_leaves_no_orphan(app, tenant):
    """The create's worker died after Exchange took the event; the delete runs first on another worker."""
    tenant.deduplicate_transaction_ids(False)
    from app.jobs.graph_operations import create_event
    from app.jobs.runner import claim

    create = record_event("create_event", "15", "k15-create")
    db.session.commit()
    claim(create.id, utcnow())
    create_event(create, graph_client())
    db.session.rollback()
    get_queue("graph").empty()
    delete = record_event("delete_event", "15", "k15-delete")
    db.session.commit()
    assert release_expired_leases(utcnow() + timedelta(hours=1)) == 1
    assert run(delete.id, graph_client).status == "done"
    drain()
    assert create.status == "superseded" and delete.result["found_by"] == "transactionId"
    assert _subjects(tenant) == []


def test_a_cancel_before_the_create_was_ever_sent_asks_exchange_nothing(app, tenant):
    create = record_event("create_event", "16", "k16-create")
    delete = record_event("delete_event", "16", "k16-delete")
    db.session.commit()
    get_queue("graph").empty()
    tenant.throttle(share=1.0, status=503)  # any Graph call would now fail
    assert run(delete.id, graph_client).status == "done"
    assert create.status == "superseded" and delete.result == {"deleted": False,
                                                              "reason": "no Exchange event was created"}


def test_the_sweeper_runs_as_a_server_job(app, tenant):
    assert sweep() == {"released": 0, "retries_enqueued": 0, "requeued": 0}


def test_every_queued_operation_carries_the_job_timeout_that_keeps_it_inside_its_lease(app, tenant):
    operation = record_event("create_event", "17", "k17")
    db.session.commit()
    (job,) = get_queue("graph").get_jobs()
    assert job.timeout == int(app.config["OUTBOX_JOB_TIMEOUT_SECONDS"]) < int(app.config["OUTBOX_LEASE_SECONDS"])
    assert job.args == (operation.id,)


def test_a_dead_operation_tells_platform_admins_by_email_and_in_teams(app, tenant):
    admin = make_employee("Platform Admin")
    grant(admin, "platform.admin")
    app.config.update(OUTBOX_MAX_ATTEMPTS="1", GRAPH_MAX_ATTEMPTS=1, TEAMS_WEBHOOK_URL=tenant.teams_webhook_url)
    tenant.throttle(share=1.0, retry_after=0, status=503, path_prefix=f"/users/{ROOM}/events")
    operation = record_event("create_event", "18", "k18")
    db.session.commit()
    drain()
    assert operation.status == "dead"
    alerts = {op.kind: op for op in db.session.scalars(select(GraphOperation).where(
        GraphOperation.target_type == "notification"))}
    assert set(alerts) == {"send_mail", "teams_notify"} and {a.status for a in alerts.values()} == {"done"}
    assert alerts["send_mail"].payload["message"]["toRecipients"] == [{"emailAddress": {"address": admin.mail}}]
    (card,) = tenant.teams_posts()
    assert f"#{operation.id}" in str(card) and "(dead)" in str(card)
    assert f"Create the event “Blocked” in {ROOM}" in str(card)  # what it was, in words


def _waits_of_three_failed_runs(operation) -> list[float]:
    """Seconds to each next attempt the outbox set, running the operation three times."""
    waits = []
    for _ in range(3):
        before = utcnow()
        operation.status, operation.next_attempt_at = "pending", None
        db.session.commit()
        assert run(operation.id, graph_client).status == "retry"
        waits.append((operation.next_attempt_at - before).total_seconds())
    return waits


def test_a_throttled_write_without_retry_after_backs_off_exponentially(app, tenant):
    tenant.throttle(share=1.0, retry_after=None)  # a 429 with no Retry-After, as Graph may send
    app.config["GRAPH_MAX_ATTEMPTS"] = 1
    operation = record_event("create_event", "20", "k20")
    db.session.commit()
    waits = _waits_of_three_failed_runs(operation)
    tenant.clear_faults()
    assert operation.last_error_status == 429 and operation.attempts == 3
    assert 1 <= waits[0] <= 2.5 and 2 <= waits[1] <= 4.5 and 4 <= waits[2] <= 8.5  # 2^n s, jittered by half
    assert _subjects(tenant) == []


def test_faults_without_retry_after_back_off_exponentially(app, tenant):
    from app.graph.client import drop_clients

    app.config.update(GRAPH_BASE_URL="https://127.0.0.1:9/v1.0", GRAPH_MAX_ATTEMPTS=1)  # nothing listens
    drop_clients()
    operation = record_event("create_event", "19", "k19")
    db.session.commit()
    waits = _waits_of_three_failed_runs(operation)
    drop_clients()
    assert operation.last_error_code == "transportError" and operation.attempts == 3
    assert 1 <= waits[0] <= 2.5 and 2 <= waits[1] <= 4.5 and 4 <= waits[2] <= 8.5  # 2^n s, jittered by half
