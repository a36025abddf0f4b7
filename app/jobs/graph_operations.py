"""Handlers for the outbox operation kinds: each turns a row's payload into one typed Graph call."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.graph import GraphClient, GraphError, GraphNotFound, calendar, groups, mail, places, sharepoint, teams
from app.graph.errors import DirectoryNotReplicated
from app.jobs.handlers import handles
from app.jobs.models import GraphOperation
from app.sqltypes import utcnow


def event_id_for(operation: GraphOperation) -> str | None:
    """The Exchange event this operation acts on: given in the payload, or made by the target's create."""
    if operation.payload.get("event_id"):
        return str(operation.payload["event_id"])
    earlier = db.session.scalars(
        select(GraphOperation).where(
            GraphOperation.target_type == operation.target_type,
            GraphOperation.target_id == operation.target_id,
            GraphOperation.id < operation.id,
            GraphOperation.status == "done",
            GraphOperation.kind.in_(("create_event", "delete_event")),
        ).order_by(GraphOperation.id.desc())
    ).first()
    if earlier is None or earlier.kind == "delete_event":
        return None
    return (earlier.result or {}).get("event_id")


def _created_earlier(operation: GraphOperation, graph: GraphClient) -> str | None:
    """The event a create that was sent before left in Exchange, found by its transactionId."""
    event = operation.payload["event"]
    return calendar.find_event_by_transaction_id(
        graph, operation.payload["mailbox"], event.get("transactionId", operation.idempotency_key),
        *calendar.naive_window(event["start"], event["end"]), calendar_id=operation.payload.get("calendar_id"),
    )


def _occurrences(operation: GraphOperation, graph: GraphClient, series_id: str) -> dict[str, int]:
    """A series' skipped and moved dates (payload `occurrences`, UTC original starts) applied in Exchange."""
    changes = operation.payload.get("occurrences")
    if not changes:
        return {}
    skipped, moved = calendar.apply_occurrence_changes(
        graph, operation.payload["mailbox"], series_id,
        [calendar.graph_instant(o) for o in changes["skipped"]],
        [(calendar.graph_instant(m["original"]), m["start"], m["end"]) for m in changes["moved"]],
    )
    return {"occurrences_skipped": skipped, "occurrences_moved": moved}


@handles("create_event")
def create_event(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    event = dict(operation.payload["event"])
    event.setdefault("transactionId", operation.idempotency_key)
    # Sent before (a timeout, a killed worker): Graph's transactionId de-duplication is best-effort,
    # so look for the event first and never create it twice (gotcha 12).
    found = _created_earlier(operation, graph) if operation.send_count > 1 else None
    if found:
        return {"event_id": found, "found_by": "transactionId", **_occurrences(operation, graph, found)}
    created = calendar.create_event(
        graph, operation.payload["mailbox"], event, calendar_id=operation.payload.get("calendar_id")
    )
    return {"event_id": created["id"], "ical_uid": created.get("iCalUId"), "change_key": created.get("changeKey"),
            **_occurrences(operation, graph, created["id"])}


@handles("update_event")
def update_event(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    event_id = event_id_for(operation)
    if event_id is None:
        return {"updated": False, "reason": "no Exchange event exists for this target"}
    updated = calendar.update_event(graph, operation.payload["mailbox"], event_id, operation.payload["event"])
    return {"event_id": event_id, "updated": True, "change_key": updated.get("changeKey") if updated else None,
            **_occurrences(operation, graph, event_id)}


def _superseded_sent_creates(operation: GraphOperation) -> list[GraphOperation]:
    """Creates this delete superseded that a worker had already sent: they may have reached Exchange."""
    since = db.session.scalar(
        select(GraphOperation.id).where(
            GraphOperation.target_type == operation.target_type,
            GraphOperation.target_id == operation.target_id,
            GraphOperation.id < operation.id, GraphOperation.kind == "delete_event", GraphOperation.status == "done",
        ).order_by(GraphOperation.id.desc()).limit(1)
    ) or 0
    return list(db.session.scalars(
        select(GraphOperation).where(
            GraphOperation.target_type == operation.target_type,
            GraphOperation.target_id == operation.target_id,
            GraphOperation.id > since, GraphOperation.id < operation.id,
            GraphOperation.kind == "create_event", GraphOperation.status == "superseded",
            GraphOperation.send_count > 0,
        )
    ))


@handles("delete_event")
def delete_event(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    mailbox = operation.payload["mailbox"]
    event_id = event_id_for(operation)
    if event_id is None:
        found = [e for e in (_created_earlier(create, graph) for create in _superseded_sent_creates(operation)) if e]
        if not found:  # the create never ran, or never reached Exchange: nothing to remove
            return {"deleted": False, "reason": "no Exchange event was created"}
        for event_id in found:
            calendar.delete_event(graph, mailbox, event_id)
        return {"event_id": found[0], "deleted": True, "found_by": "transactionId"}
    deleted = calendar.delete_event(graph, mailbox, event_id)
    return {"event_id": event_id, "deleted": deleted, "already_gone": not deleted}


@handles("send_mail")
def send_mail(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    mail.send_mail(
        graph, operation.payload["mailbox"], operation.payload["message"],
        save_to_sent_items=bool(operation.payload.get("saveToSentItems", False)),
    )
    return {"accepted": True}


@contextmanager
def _replication_lag_retried(operation: GraphOperation) -> Iterator[None]:
    """A group MyGov created a moment ago can 404 until Graph's directory replicates (contract §4.2):
    such a 404 goes back to the outbox's backoff; once the grace has passed, the group is gone."""
    try:
        yield
    except GraphNotFound as error:
        grace = timedelta(seconds=int(current_app.config["GROUP_REPLICATION_GRACE_SECONDS"]))
        if error.code != "Request_ResourceNotFound" or utcnow() - operation.created_at > grace:
            raise
        raise DirectoryNotReplicated(error.status, error.code, error.message, request_id=error.request_id) from error


@handles("add_group_member")
def add_group_member(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    with _replication_lag_retried(operation):
        outcome = groups.add_group_member(graph, operation.payload["group_id"], operation.payload["user_id"])
    return {"outcome": outcome}


@handles("remove_group_member")
def remove_group_member(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    with _replication_lag_retried(operation):
        outcome = groups.remove_group_member(graph, operation.payload["group_id"], operation.payload["user_id"])
    return {"outcome": outcome}


@handles("share_calendar")
def share_calendar(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    payload = operation.payload
    permission = calendar.share_calendar(graph, payload["owner"], payload["address"],
                                         role=payload.get("role", "read"), name=payload.get("name"))
    return {"permission_id": permission.get("id")}


@handles("revoke_calendar_share")
def revoke_calendar_share(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    payload = operation.payload
    permission_id = payload.get("permission_id") or earlier_result(operation, "share_calendar", "permission_id")
    if not permission_id:
        return {"revoked": False, "reason": "the share was never made"}
    revoked = calendar.revoke_calendar_permission(graph, payload["owner"], permission_id)
    return {"revoked": revoked, "permission_id": permission_id}


def earlier_result(operation: GraphOperation, kind: str, key: str) -> Any:
    """A value an earlier, finished operation of `kind` on the same target returned (e.g. a new place's id)."""
    earlier = db.session.scalars(
        select(GraphOperation).where(
            GraphOperation.target_type == operation.target_type, GraphOperation.target_id == operation.target_id,
            GraphOperation.id < operation.id, GraphOperation.status == "done", GraphOperation.kind == kind,
        ).order_by(GraphOperation.id.desc())
    ).first()
    return (earlier.result or {}).get(key) if earlier else None


@handles("ensure_building_place")
def ensure_building_place(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    """The facility's building place: the known one, one of the same name, or a new one."""
    payload = operation.payload
    if payload.get("building_id") and places.get_place(graph, payload["building_id"]):
        return {"building_id": payload["building_id"], "created": False}
    existing = places.find_child(graph, places.BUILDING, payload["display_name"])
    if existing:
        return {"building_id": existing["id"], "created": False}
    created = places.create_building(graph, payload["display_name"], **payload.get("fields", {}))
    return {"building_id": created["id"], "created": True}


@handles("ensure_floor_place")
def ensure_floor_place(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    payload = operation.payload
    building_id = payload.get("building_id") or earlier_result(operation, "ensure_building_place", "building_id")
    if not building_id:
        raise LookupError("no building place to put the floor in")
    existing = places.find_child(graph, places.FLOOR, payload["display_name"], building_id)
    if existing:
        return {"floor_id": existing["id"], "building_id": building_id, "created": False}
    created = places.create_floor(graph, building_id, payload["display_name"], **payload.get("fields", {}))
    return {"floor_id": created["id"], "building_id": building_id, "created": True}


@handles("create_room")
def create_room(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    """The room and its mailbox. A 409 on a retry means our earlier attempt made it: the address is ours."""
    payload = operation.payload
    floor_id = payload.get("floor_id") or earlier_result(operation, "ensure_floor_place", "floor_id")
    if not floor_id:
        raise LookupError("no floor place to put the room on")
    try:
        room = places.create_room(graph, floor_id, payload["display_name"], payload["address"],
                                  **payload.get("fields", {}))
    except GraphError as error:
        if error.status != 409 or operation.attempts <= 1:
            raise
        return {"address": payload["address"], "floor_id": floor_id, "already_existed": True}
    return {"address": room.get("emailAddress") or payload["address"], "place_id": room.get("placeId") or room.get("id"),
            "floor_id": floor_id, "already_existed": False}


@handles("update_room")
def update_room(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    room = places.update_room(graph, operation.payload["room"], operation.payload["changes"])
    return {"place_id": room.get("id") if room else None}


@handles("create_list_item")
def create_list_item(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    payload = operation.payload
    reference = payload["fields"].get("Reference")
    if operation.send_count > 1 and reference:  # sent before: SharePoint may hold it already (no transactionId)
        found = sharepoint.find_list_item(graph, payload["site_id"], payload["list_id"], "Reference", reference)
        if found:
            return {"item_id": found, "already_existed": True}
    item = sharepoint.create_list_item(graph, payload["site_id"], payload["list_id"], payload["fields"])
    return {"item_id": item.get("id")}


@handles("update_list_item")
def update_list_item(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    """Update the item an earlier create on the same target added; nothing if none was added."""
    payload = operation.payload
    item_id = earlier_result(operation, "create_list_item", "item_id")
    if item_id is None:
        return {"updated": False, "reason": "no item was added"}
    try:
        sharepoint.update_list_item(graph, payload["site_id"], payload["list_id"], item_id, payload["fields"])
    except GraphNotFound:
        return {"updated": False, "reason": "the item was deleted in SharePoint", "item_id": item_id}
    return {"updated": True, "item_id": item_id}


@handles("delete_list_item")
def delete_list_item(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    payload = operation.payload
    item_id = earlier_result(operation, "create_list_item", "item_id")
    if item_id is None:
        return {"deleted": False, "reason": "no item was added"}
    return {"deleted": sharepoint.delete_list_item(graph, payload["site_id"], payload["list_id"], item_id),
            "item_id": item_id}


@handles("teams_notify")
def teams_notify(operation: GraphOperation, graph: GraphClient) -> dict[str, Any]:
    url = current_app.config.get("TEAMS_WEBHOOK_URL")
    if not url:
        return {"posted": False, "reason": "TEAMS_WEBHOOK_URL is not set"}
    payload = operation.payload
    link = ("Open in MyGov", payload["link"]) if payload.get("link") else None
    teams.post_to_workflow(graph, url, teams.adaptive_card_message(payload["title"], payload.get("facts", {}), link))
    return {"posted": True}
