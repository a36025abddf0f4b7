"""Typed Graph errors: status, Graph error code, message and the request id Microsoft support asks for."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRANSIENT_STATUSES = frozenset({429, 503, 504})


class GraphError(Exception):
    """A Graph call that did not succeed. `request_id` is what Microsoft support needs."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        request_id: str | None = None,
        client_request_id: str | None = None,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}" + (f" (request-id {request_id})" if request_id else ""))
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.client_request_id = client_request_id
        self.retry_after = retry_after
        self.body = body

    @property
    def is_transient(self) -> bool:
        """Worth retrying later: throttling, service unavailable, gateway timeout, transport faults."""
        return self.status in TRANSIENT_STATUSES or self.status == 0 or self.status >= 500

    @property
    def is_permanent(self) -> bool:
        return not self.is_transient


class GraphThrottled(GraphError):
    """429/503/504 still answered after the client's own retries; `retry_after` says when to try again."""


class GraphNotFound(GraphError):
    pass


class DirectoryNotReplicated(GraphNotFound):
    """A 404 on a directory object MyGov may have just created: Graph's directory replicates, so a
    read or a member change right after the create can 404 briefly (contract §4.2). Worth retrying."""

    @property
    def is_transient(self) -> bool:
        return True


class GraphForbidden(GraphError):
    """403: the app lacks the application permission (or Exchange RBAC scope) for this call."""


class GraphTransportError(GraphError):
    """No HTTP answer at all (connection refused, TLS failure, timeout). Status is 0."""

    def __init__(self, message: str, *, client_request_id: str | None = None) -> None:
        super().__init__(0, "transportError", message, client_request_id=client_request_id)


class DeltaTokenExpired(GraphError):
    """The delta link is no longer valid (410 Gone or syncStateNotFound/resyncRequired): resync."""


class GraphAuthError(GraphError):
    """The identity platform refused to issue an app token (wrong secret, unknown client...)."""

    def __init__(self, error: str, description: str, *, correlation_id: str | None = None) -> None:
        super().__init__(401, error, description, request_id=correlation_id)


def error_class_for(status: int, code: str) -> type[GraphError]:
    if code in {"syncStateNotFound", "resyncRequired"} or status == 410:
        return DeltaTokenExpired
    if status in TRANSIENT_STATUSES:
        return GraphThrottled
    if status == 404:
        return GraphNotFound
    if status == 403:
        return GraphForbidden
    return GraphError


def parse_error(status: int, body: Any, headers: Mapping[str, str], client_request_id: str | None) -> GraphError:
    """Build the typed error from Graph's `{"error": {"code", "message", "innerError"}}` body."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    inner = error.get("innerError") or error.get("innererror") or {}
    code = str(error.get("code") or inner.get("code") or f"http{status}")
    # Branch on the most specific code Graph gives (contract §11.5).
    if isinstance(inner, dict) and inner.get("code") in {"syncStateNotFound", "resyncRequired"}:
        code = inner["code"]
    message = str(error.get("message") or (body if isinstance(body, str) else "") or f"HTTP {status}")
    request_id = headers.get("request-id") or (inner.get("request-id") if isinstance(inner, dict) else None)
    cls = error_class_for(status, code)
    return cls(
        status, code, message,
        request_id=request_id,
        client_request_id=headers.get("client-request-id") or client_request_id,
        retry_after=retry_after_header(headers),
        body=body,
    )


def retry_after_header(headers: Mapping[str, str]) -> float | None:
    """Retry-After in seconds, whatever the case of its name (HTTP/2 proxies lower-case it)."""
    return parse_retry_after(next((v for k, v in headers.items() if k.lower() == "retry-after"), None))


def backoff_seconds(attempt: int) -> float:
    """The wait before retry `attempt` when Graph gives no Retry-After: 1, 2, 4 ... 32 s (contract §11.1)."""
    return float(min(2 ** (attempt - 1), 32))


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:  # an HTTP date: rare from Graph; fall back to the caller's backoff
        return None
