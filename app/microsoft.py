"""The application's handle on Microsoft 365: the process-wide Graph client for this app's config."""
from __future__ import annotations

from flask import Flask, current_app

from app.graph import GraphClient, GraphSettings, TransportHooks, client_for
from app.metrics import GRAPH_CALLS, GRAPH_THROTTLE_WAIT

METRIC_HOOKS = TransportHooks(
    on_response=lambda method, status: GRAPH_CALLS.labels(method=method, status=str(status)).inc(),
    on_throttle_wait=GRAPH_THROTTLE_WAIT.inc,
)


def graph_settings(app: Flask) -> GraphSettings:
    return GraphSettings.from_mapping(app.config)


def graph_client(app: Flask | None = None) -> GraphClient:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return client_for(graph_settings(app), METRIC_HOOKS)
