"""What each outbox operation kind does, and who hears about its result.

A handler performs the Graph call for one operation and returns its result (stored on the row).
A result listener, registered by the area that owns the target, copies the result onto the
target row (e.g. the created event id onto the reservation) in the same transaction that marks
the operation done.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.graph import GraphClient
from app.jobs.models import GraphOperation

Handler = Callable[[GraphOperation, GraphClient], dict[str, Any]]
Listener = Callable[[GraphOperation, dict[str, Any]], None]

HANDLERS: dict[str, Handler] = {}
LISTENERS: dict[tuple[str, str], list[Listener]] = {}
# A later operation of the key's kind makes earlier not-yet-done operations of these kinds moot.
SUPERSEDES: dict[str, frozenset[str]] = {"delete_event": frozenset({"create_event", "update_event"})}
# An operation of the key's kind is dropped when an earlier one of these kinds exists for the target.
DROPPED_AFTER: dict[str, frozenset[str]] = {"update_event": frozenset({"delete_event"})}


def handles(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if kind in HANDLERS and HANDLERS[kind] is not handler:
            raise ValueError(f"two handlers for operation kind {kind!r}")
        HANDLERS[kind] = handler
        return handler

    return register


def on_result(kind: str, target_type: str) -> Callable[[Listener], Listener]:
    def register(listener: Listener) -> Listener:
        listeners = LISTENERS.setdefault((kind, target_type), [])
        if listener not in listeners:
            listeners.append(listener)
        return listener

    return register


def notify_listeners(operation: GraphOperation, result: dict[str, Any]) -> None:
    for listener in LISTENERS.get((operation.kind, operation.target_type), []):
        listener(operation, result)
