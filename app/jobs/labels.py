"""Outbox operations in words, for the ops screens, the dead-letter email and the Teams card.

An area that records operations on its own targets registers how to name them
(`@describes("group_membership")`) in a module listed in DESCRIBER_MODULES; anything else is
named from its payload (event subject, room, mailbox), never by ids alone.
"""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from app.jobs.models import GraphOperation

Describer = Callable[[GraphOperation], "str | None"]
DESCRIBERS: dict[str, Describer] = {}
DESCRIBER_MODULES = (
    "app.access.outbox_labels", "app.mail.outbox_labels", "app.reservations.outbox_labels",
    "app.calendars.outbox_labels",
)
KIND_WORDS = {
    "add_group_member": "Add to an Entra group", "remove_group_member": "Remove from an Entra group",
    "create_event": "Create the event", "update_event": "Update the event", "delete_event": "Delete the event",
    "cancel_event": "Cancel the event", "send_mail": "Send the email", "teams_notify": "Post to Teams",
    "create_room": "Create the room mailbox", "update_room": "Update the room mailbox",
    "share_calendar": "Share the room calendar", "revoke_calendar_share": "Stop sharing the room calendar",
    "ensure_building_place": "Record the building", "ensure_floor_place": "Record the floor",
    "create_list_item": "Add the SharePoint list item", "update_list_item": "Update the SharePoint list item",
}
_loaded: dict[str, bool] = {}


def describes(target_type: str) -> Callable[[Describer], Describer]:
    def register(describer: Describer) -> Describer:
        DESCRIBERS[target_type] = describer
        return describer

    return register


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("_", " ").capitalize())


def describe(operation: GraphOperation) -> str:
    """"Add Ethan Park to mygov-calendars-publisher (Calendar publisher)", "Send the email “…” to …"."""
    if not _loaded:
        for module in DESCRIBER_MODULES:
            import_module(module)
        _loaded["done"] = True
    describer = DESCRIBERS.get(operation.target_type)
    return (describer(operation) if describer else None) or _from_payload(operation)


def _from_payload(operation: GraphOperation) -> str:
    payload: dict[str, Any] = operation.payload or {}
    event = payload.get("event") or {}
    message = payload.get("message") or {}
    what = event.get("subject") or message.get("subject") or payload.get("title") or payload.get("display_name")
    place = (event.get("location") or {}).get("displayName")
    mailbox = payload.get("mailbox") or payload.get("room") or payload.get("owner")
    text = kind_words(operation.kind)
    if what:
        text += f" “{what}”"
    if place and mailbox:
        text += f" in {place} ({mailbox})"
    elif mailbox:
        text += f" in {mailbox}"
    return text
