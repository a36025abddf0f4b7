"""Actions of the jobs area itself, plus generic Graph writes a scheduled job may ask for.

Writes go through the outbox like any other (so a scheduled write is retried and visible on the
ops screen); reads call Graph directly.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from app.extensions import db
from app.graph import calendar, users
from app.jobs.actions import Param, action
from app.jobs.outbox import record_operation
from app.jobs.sweeper import sweep
from app.microsoft import graph_client


@action("outbox.sweep", description="Re-enqueue lost outbox operations and release stuck ones.")
def outbox_sweep(params: dict[str, Any]) -> dict[str, Any]:
    return sweep()


def _record(kind: str, target: str, payload: dict[str, Any]) -> dict[str, Any]:
    key = f"job-{kind}-{uuid.uuid4().hex}"
    operation = record_operation(kind, target_type="server_job", target_id=target, payload=payload, idempotency_key=key)
    db.session.commit()
    return {"operation": operation.id}


@action(
    "teams.notify", description="Post a card to the platform's Teams channel (Workflows webhook).",
    params=(Param("title", required=True), Param("text", required=True)),
)
def teams_notify(params: dict[str, Any]) -> dict[str, Any]:
    return _record("teams_notify", "teams", {"title": params["title"], "facts": {"Message": params["text"]}})


@action(
    "graph.create_event", description="Create an event in a mailbox's calendar.",
    params=(
        Param("mailbox", required=True), Param("subject", required=True),
        Param("start", required=True, help="ISO 8601 with offset"), Param("end", required=True),
    ),
)
def create_event(params: dict[str, Any]) -> dict[str, Any]:
    start, end = datetime.fromisoformat(params["start"]), datetime.fromisoformat(params["end"])
    event = {
        "subject": params["subject"], "start": calendar.graph_datetime(start), "end": calendar.graph_datetime(end),
        "showAs": "busy", "isReminderOn": False, "categories": ["MyGov"],
    }
    return _record("create_event", params["mailbox"], {"mailbox": params["mailbox"], "event": event})


@action(
    "graph.create_list_item", description="Add an item to a SharePoint list.",
    params=(Param("site_id", required=True), Param("list_id", required=True), Param("fields", "dict", required=True)),
)
def create_list_item(params: dict[str, Any]) -> dict[str, Any]:
    return _record("create_list_item", f"{params['site_id']}/{params['list_id']}", dict(params))


@action(
    "graph.list_users", description="Count the tenant's users (a directory reachability check).",
    params=(Param("filter", help="an OData $filter, e.g. accountEnabled eq false"),), queue="sync",
)
def list_users(params: dict[str, Any]) -> dict[str, Any]:
    total = enabled = 0
    for user in users.list_users(graph_client(), filter=params.get("filter")):
        total += 1
        enabled += bool(user.get("accountEnabled"))
    return {"users": total, "enabled": enabled}
