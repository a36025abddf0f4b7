"""Ops screens: platform admins see and steer server jobs and the outbox."""
from __future__ import annotations

import re

import threading
import time

import pytest
from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.jobs.models import GraphOperation, ServerJob
from app.jobs.outbox import record_operation
from app.jobs.queue import get_queue
from app.sqltypes import utcnow
from tests.browser_plugin import axe_violations, describe
from tests.factories import (
    csrf_headers,
    grant,
    make_employee,
    sign_in_browser,
    staff_client,
)


def _operation(status: str = "pending", **fields) -> GraphOperation:
    operation = record_operation(
        fields.pop("kind", "create_event"), target_type=fields.pop("target_type", "reservation"),
        target_id=fields.pop("target_id", "12"), payload={"mailbox": "rm_LIB_ProgramRoom@auburnal.gov"},
        idempotency_key=fields.pop("key", f"k-{time.monotonic_ns()}"),
    )
    db.session.commit()
    operation.status = status
    for name, value in fields.items():
        setattr(operation, name, value)
    db.session.commit()
    return operation


def test_only_platform_admins_reach_the_ops_screens(app):
    editor, _ = staff_client(app, "calendars.editor")
    for path in ("/staff/ops/outbox", "/staff/ops/jobs", "/staff/ops/health"):
        assert editor.get(path).status_code == 403
    assert app.test_client().get("/staff/ops/outbox").status_code in (302, 401, 403)


def test_outbox_filters_are_shareable_get_parameters(app):
    admin, _ = staff_client(app, "platform.admin")
    _operation("dead", kind="create_event", target_id="12", last_error_code="ErrorAccessDenied")
    _operation("done", kind="send_mail", target_type="email_message", target_id="3")
    page = admin.get("/staff/ops/outbox?status=dead").get_data(as_text=True)
    assert "1 operation match" in page and "ErrorAccessDenied" in page and "send_mail" not in page.split("<tbody>")[1]
    fragment = admin.get("/staff/ops/outbox?target=email_message:3", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "#2<span class=\"usa-sr-only\"> Send the email" in text and "Vary" in fragment.headers


def test_the_outbox_filters_by_kind(app):
    admin, _ = staff_client(app, "platform.admin")
    _operation("pending", kind="create_event", target_id="21")
    _operation("pending", kind="add_group_member", target_type="role_assignment", target_id="5")
    rows = admin.get("/staff/ops/outbox?kind=add_group_member").get_data(as_text=True).split("<tbody>")[1]
    assert "Add to an Entra group" in rows and "Create the event" not in rows  # kinds in words


def test_the_health_screen_shows_the_backlog_and_says_when_no_worker_runs(app):
    admin, _ = staff_client(app, "platform.admin")
    for n in range(3):
        _operation("pending", target_id=str(30 + n))
    _operation("dead", target_id="40")
    page = admin.get("/staff/ops/health").get_data(as_text=True)
    waiting = get_queue("graph").count
    assert waiting == 4 and f'<th scope="row">graph</th><td>{waiting}</td>' in page
    assert "Pending: 3" in page and "Dead: 1" in page
    assert "No worker has sent a heartbeat recently" in page  # tests run no worker process


def test_an_operation_shows_its_graph_error_and_request_id_and_can_be_retried(app):
    admin, employee = staff_client(app, "platform.admin", name="Ops Admin")
    operation = _operation("dead", attempts=8, last_error_status=503, last_error_code="serviceNotAvailable",
                           last_error_message="Service unavailable", last_error_request_id="req-1234")
    page = admin.get(f"/staff/ops/outbox/{operation.id}").get_data(as_text=True)
    assert "serviceNotAvailable" in page and "req-1234" in page and "Retry now" in page
    get_queue("graph").empty()
    response = admin.post(f"/staff/ops/outbox/{operation.id}/retry", headers=csrf_headers(admin))
    assert response.status_code == 303
    db.session.refresh(operation)
    assert (operation.status, operation.attempts) == ("pending", 0)
    assert get_queue("graph").count == 1
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.retry"))
    assert audit.actor_id == employee.id and audit.before == {"status": "dead", "attempts": 8}


def test_cancelling_a_pending_operation_releases_the_next_one_on_its_target(app):
    admin, _ = staff_client(app, "platform.admin")
    stuck = _operation("failed", target_id="44", key="k-stuck")
    following = _operation("pending", kind="update_event", target_id="44", key="k-following")
    get_queue("graph").empty()
    assert admin.post(f"/staff/ops/outbox/{stuck.id}/cancel", headers=csrf_headers(admin)).status_code == 303
    db.session.refresh(stuck)
    assert stuck.status == "superseded" and "cancelled by Pat Staff" in stuck.last_error_message
    assert following.status == "pending" and get_queue("graph").count == 1
    refused = admin.post(f"/staff/ops/outbox/{stuck.id}/retry", headers=csrf_headers(admin), follow_redirects=True)
    assert "Only failed or dead operations can be retried." in refused.get_data(as_text=True)


def test_retry_without_the_csrf_token_is_refused(app):
    admin, _ = staff_client(app, "platform.admin")
    operation = _operation("failed")
    assert admin.post(f"/staff/ops/outbox/{operation.id}/retry").status_code == 400
    db.session.refresh(operation)
    assert operation.status == "failed"


def test_a_schedule_is_edited_on_screen_with_errors_tied_to_fields(app):
    admin, _ = staff_client(app, "platform.admin")
    job = ServerJob(name="Directory sync", action="graph.sync_users_delta", parameters={}, cron="*/15 * * * *")
    db.session.add(job)
    db.session.commit()
    bad = admin.post(f"/staff/ops/jobs/{job.id}", data={"cron": "often", "parameters": "{}", "enabled": "y"},
                     headers=csrf_headers(admin))
    assert bad.status_code == 422 and "not a valid cron expression" in bad.get_data(as_text=True)
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*id="cron"[^>]*>', bad.get_data(as_text=True)).group(0)
    good = admin.post(f"/staff/ops/jobs/{job.id}", data={"interval_seconds": "300", "parameters": "{}"},
                      headers=csrf_headers(admin))
    assert good.status_code == 303
    db.session.refresh(job)
    assert (job.cron, job.interval_seconds, job.enabled) == (None, 300, False)


def test_run_now_queues_the_job(app):
    admin, _ = staff_client(app, "platform.admin")
    job = ServerJob(name="Sweeper", action="outbox.sweep", parameters={}, interval_seconds=30)
    db.session.add(job)
    db.session.commit()
    assert admin.post(f"/staff/ops/jobs/{job.id}/run", headers=csrf_headers(admin)).status_code == 303
    assert get_queue("default").count == 1


@pytest.mark.browser
def test_an_operation_turns_done_on_screen_without_a_reload(app, live_server, page):
    admin = make_employee("Ops Admin")
    grant(admin, "platform.admin")
    sign_in_browser(app, page, live_server.url, admin)
    operation = _operation("running")
    page.goto(f"{live_server.url}/staff/ops/outbox/{operation.id}")
    assert page.locator(".operation-status").inner_text() == "Running"
    page.evaluate("window.mygovMarker = 'same page'")
    assert axe_violations(page) == [], describe(axe_violations(page))

    def finish() -> None:
        time.sleep(0.5)
        with app.app_context():
            row = db.session.get(GraphOperation, operation.id)
            row.status, row.completed_at = "done", utcnow()
            db.session.commit()
            db.session.remove()

    threading.Thread(target=finish).start()
    page.locator(".operation-status", has_text="Done").wait_for(timeout=10_000)
    assert page.evaluate("window.mygovMarker") == "same page"  # updated in place, not reloaded
