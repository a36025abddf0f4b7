"""The Graph client: one per process, holding the MSAL app and the HTTP session."""
from __future__ import annotations

import threading
from typing import Any
from urllib.parse import quote

from app.graph.collections import BatchRequest, BatchResponse, DeltaRound, iterate_pages, run_batch
from app.graph.errors import GraphNotFound
from app.graph.settings import GraphSettings
from app.graph.tokens import TokenProvider
from app.graph.transport import GraphResponse, Transport, TransportHooks

EVENTUAL = {"ConsistencyLevel": "eventual"}


def segment(value: str) -> str:
    """One path segment (an id, a UPN or a mailbox address), escaped."""
    return quote(value, safe="@")


class GraphClient:
    def __init__(self, settings: GraphSettings, hooks: TransportHooks | None = None) -> None:
        self.settings = settings
        self.tokens = TokenProvider(settings)
        self.hooks = hooks or TransportHooks()
        self.transport = Transport(settings, self.tokens, self.hooks)

    @property
    def request_count(self) -> int:
        return self.transport.request_count

    def get(self, path: str, **kwargs: Any) -> GraphResponse:
        return self.transport.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> GraphResponse:
        return self.transport.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> GraphResponse:
        return self.transport.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> GraphResponse:
        return self.transport.request("DELETE", path, **kwargs)

    def delete_if_exists(self, path: str) -> bool:
        """DELETE; False when it was already gone (a 404 means the desired state holds)."""
        try:
            self.delete(path)
        except GraphNotFound:
            return False
        return True

    def pages(self, path: str, **kwargs: Any):  # -> Iterator[dict]
        return iterate_pages(self, path, **kwargs)

    def delta(self, start: str, params: dict[str, Any] | None = None) -> DeltaRound:
        """A delta round from a stored deltaLink (replayed verbatim) or from the initial path."""
        return DeltaRound(self, start, None if start.startswith("http") else params)

    def batch(self, requests: list[BatchRequest]) -> dict[str, BatchResponse]:
        return run_batch(self, requests)

    def wait(self, seconds: float) -> None:
        self.transport.wait(seconds)


_clients: dict[tuple[GraphSettings, int], GraphClient] = {}
_lock = threading.Lock()


def client_for(settings: GraphSettings, hooks: TransportHooks | None = None) -> GraphClient:
    """The process-wide client for these settings: one MSAL app, so one token cache (gotcha 4)."""
    key = (settings, id(hooks) if hooks else 0)
    with _lock:
        if key not in _clients:
            _clients[key] = GraphClient(settings, hooks)
        return _clients[key]




def drop_clients() -> None:
    """Forget every process-wide client (and its cached tokens): after credentials change."""
    with _lock:
        _clients.clear()
