"""SharePoint list item operations in the outbox: never a second item, update and delete find the first."""
from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.jobs.outbox import record_operation
from app.jobs.sweeper import enqueue_due_retries
from app.sqltypes import utcnow
from tests.jobs.helpers import drain

SITE, LIST = "auburnal.sharepoint.com,facilities,web", "Bookings"


def _record(kind: str, key: str, fields: dict | None = None):
    payload = {"site_id": SITE, "list_id": LIST, **({"fields": fields} if fields is not None else {})}
    operation = record_operation(kind, target_type="sharepoint_item", target_id="reservation-1", payload=payload,
                                 idempotency_key=key)
    db.session.commit()
    return operation


def _items(tenant) -> list[dict]:
    return [i["fields"] for i in tenant.server.control.list_items()]


def test_a_create_that_timed_out_after_sharepoint_took_it_is_not_added_twice(app, tenant):
    tenant.time_out_after_applying(f"/sites/{SITE}/lists/{LIST}/items")
    app.config["GRAPH_MAX_ATTEMPTS"] = 1
    create = _record("create_list_item", "c1", {"Title": "R-1", "Reference": "R-1", "Room": "Study Room A"})
    drain()
    assert create.status == "pending" and create.last_error_status == 504
    assert [i["Reference"] for i in _items(tenant)] == ["R-1"]  # SharePoint has it although the answer timed out
    enqueue_due_retries(utcnow() + timedelta(hours=1))
    drain()
    assert create.status == "done" and create.result["already_existed"] is True
    assert len(_items(tenant)) == 1

    update = _record("update_list_item", "u1", {"Room": "Quiet Room"})
    delete = _record("delete_list_item", "d1")
    drain()
    assert update.status == "done" and update.result["item_id"] == create.result["item_id"]
    assert delete.status == "done" and delete.result["deleted"] is True and _items(tenant) == []
    again = _record("delete_list_item", "d2")  # someone deleted it in SharePoint already: the goal holds
    drain()
    assert again.status == "done" and again.result["deleted"] is False
