"""Microsoft Graph client. Knows nothing of Flask or the database: settings in, dicts out.

Typed calls live in one module per Graph area (users, groups, calendar, places, mail, teams,
sharepoint); each takes the process-wide `GraphClient` as its first argument.
"""
from app.graph.client import GraphClient, client_for
from app.graph.collections import BatchRequest, BatchResponse, DeltaRound
from app.graph.errors import (
    DeltaTokenExpired,
    GraphAuthError,
    GraphError,
    GraphForbidden,
    GraphNotFound,
    GraphThrottled,
    GraphTransportError,
)
from app.graph.settings import GraphSettings
from app.graph.transport import TransportHooks

__all__ = [
    "BatchRequest", "BatchResponse", "DeltaRound", "DeltaTokenExpired", "GraphAuthError", "GraphClient",
    "GraphError", "GraphForbidden", "GraphNotFound", "GraphSettings", "GraphThrottled",
    "GraphTransportError", "TransportHooks", "client_for",
]
