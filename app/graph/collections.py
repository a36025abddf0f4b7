"""Collections: pages that follow @odata.nextLink, delta rounds, and $batch (contract §3.2, §10)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.graph.errors import backoff_seconds, retry_after_header

if TYPE_CHECKING:
    from app.graph.client import GraphClient

BATCH_LIMIT = 20


def iterate_pages(
    graph: GraphClient,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every item of a collection. Follows nextLink verbatim; never uses $skip; empty pages are passed."""
    url: str | None = path
    first = True
    while url:
        body = graph.get(url, params=params if first else None, headers=headers).body or {}
        first = False
        yield from body.get("value", [])
        url = body.get("@odata.nextLink")


@dataclass
class DeltaRound:
    """One delta round: iterate it for changes (removed ones carry `@removed`), then read `delta_link`.

    Raises DeltaTokenExpired when the stored link is no longer valid; the caller starts a full sync.
    """

    graph: GraphClient
    start: str
    params: dict[str, Any] | None = None
    delta_link: str | None = None
    pages: int = 0
    changed: int = 0
    removed: int = 0
    _consumed: bool = field(default=False, repr=False)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self._consumed:
            raise RuntimeError("a delta round can be read once")
        self._consumed = True
        url: str | None = self.start
        params = self.params
        while url:
            body = self.graph.get(url, params=params).body or {}  # may raise DeltaTokenExpired
            params = None  # links carry their own query; never re-add parameters
            self.pages += 1
            for item in body.get("value", []):
                if "@removed" in item:
                    self.removed += 1
                else:
                    self.changed += 1
                yield item
            url = body.get("@odata.nextLink")
            if not url:
                self.delta_link = body.get("@odata.deltaLink")


@dataclass(frozen=True)
class BatchRequest:
    id: str
    method: str
    url: str  # relative to the version root, e.g. "/users/{id}"
    body: Any = None
    headers: dict[str, str] | None = None
    depends_on: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        request: dict[str, Any] = {"id": self.id, "method": self.method, "url": self.url}
        headers = dict(self.headers or {})
        if self.body is not None:
            request["body"] = self.body
            headers.setdefault("Content-Type", "application/json")
        if headers:
            request["headers"] = headers
        if self.depends_on:
            request["dependsOn"] = list(self.depends_on)
        return request


@dataclass(frozen=True)
class BatchResponse:
    id: str
    status: int
    headers: dict[str, str]
    body: Any


def run_batch(graph: GraphClient, requests: list[BatchRequest]) -> dict[str, BatchResponse]:
    """Send requests in batches of 20; retry only the inner requests answered 429.

    Answers come back in any order and are returned by id. Inner errors other than 429 are
    returned as they are for the caller to judge, as Graph reports them per request.
    """
    ids = [r.id.lower() for r in requests]
    if len(set(ids)) != len(ids):
        raise ValueError("batch request ids must be unique (case-insensitive)")
    results: dict[str, BatchResponse] = {}
    pending = list(requests)
    rounds = 0
    while pending:
        rounds += 1
        retry: list[BatchRequest] = []
        wait = 0.0
        for start in range(0, len(pending), BATCH_LIMIT):
            chunk = pending[start:start + BATCH_LIMIT]
            by_id = {r.id: r for r in chunk}
            repeatable = all(r.method.upper() in ("GET", "PATCH", "PUT", "DELETE") for r in chunk)
            body = graph.post("/$batch", json={"requests": [r.as_json() for r in chunk]},
                              repeatable=repeatable).body or {}
            for answer in body.get("responses", []):
                response = BatchResponse(
                    str(answer["id"]), int(answer["status"]), answer.get("headers") or {}, answer.get("body")
                )
                if response.status == 429 and rounds < graph.settings.max_attempts:
                    retry.append(by_id[response.id])
                    given = retry_after_header(response.headers)  # each inner 429 has its own
                    wait = max(wait, backoff_seconds(rounds) if given is None else given)
                else:
                    results[response.id] = response
        if retry:
            graph.wait(wait)
        pending = retry
    return results
