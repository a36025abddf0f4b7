"""Error bodies as Graph (contract §11.5) and the identity platform return them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Response, g, jsonify, request

DIRECTORY_NOT_FOUND = (
    "Resource '{}' does not exist or one of its queried reference-property objects are not present."
)
OUTLOOK_NOT_FOUND = "The specified object was not found in the store."


class GraphError(Exception):
    """Raised by a handler; rendered as `{"error": {"code", "message", "innerError"}}`."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_request(code: str, message: str) -> GraphError:
    return GraphError(400, code, message)


def directory_not_found(object_id: str) -> GraphError:
    return GraphError(404, "Request_ResourceNotFound", DIRECTORY_NOT_FOUND.format(object_id))


def item_not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", OUTLOOK_NOT_FOUND)


def request_ids() -> tuple[str, str]:
    """This request's `request-id` and the caller's `client-request-id` (or the same id)."""
    if "request_id" not in g:
        g.request_id = str(uuid.uuid4())
        g.client_request_id = request.headers.get("client-request-id") or g.request_id
    return g.request_id, g.client_request_id


def graph_error_response(error: GraphError) -> Response:
    request_id, client_request_id = request_ids()
    body: dict[str, Any] = {
        "error": {
            "code": error.code,
            "message": error.message,
            "innerError": {
                "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id,
            },
        }
    }
    response = jsonify(body)
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


class OAuthError(Exception):
    """An identity-platform error: `{"error", "error_description": "AADSTS...", "error_codes", ...}`."""

    def __init__(self, status: int, error: str, aadsts: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.description = description

    def body(self) -> dict[str, Any]:
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        timestamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        return {
            "error": self.error,
            "error_description": (
                f"AADSTS{self.aadsts}: {self.description} Trace ID: {trace_id} "
                f"Correlation ID: {correlation_id} Timestamp: {timestamp}"
            ),
            "error_codes": [self.aadsts],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"{request.url_root.rstrip('/')}/error?code={self.aadsts}",
        }
