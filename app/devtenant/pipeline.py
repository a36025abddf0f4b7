"""What runs around every request: counters, injected faults, bearer checks, mailbox limits.

Order for Graph requests: bearer token → injected fault → per-mailbox concurrency slot →
injected latency → handler. A rejected request never reaches its handler, so it has no effect,
unless the fault is `applied`: then the handler runs and the error replaces its answer.
"""

from __future__ import annotations

import math
import re
import time

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from app.devtenant.context import GRAPH_APP_ID, GRAPH_RESOURCE, DevTenant, tenant
from app.devtenant.errors import GraphError, OAuthError, graph_error_response, request_ids
from app.devtenant.jwt import InvalidToken

MAILBOX_PATH = re.compile(
    r"^/v1\.0/users/([^/]+)/(events|calendar|calendars|calendarView|sendMail|mailFolders|messages)\b"
)
FAULT_CODES = {429: "TooManyRequests", 503: "serviceNotAvailable", 504: "GatewayTimeout"}
FAULT_MESSAGES = {
    429: "Too many requests. Please retry after the period in the Retry-After header.",
    503: "The service is temporarily unavailable. Please try again later.",
    504: "The gateway did not receive a response in time.",
}
ODATA_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
WWW_AUTHENTICATE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    f'client_id="{GRAPH_APP_ID}"'
)


def register_pipeline(app: Flask) -> None:
    app.before_request(_count_request)
    app.before_request(_identity_faults)
    app.after_request(_fault_after_effect)
    app.after_request(_graph_headers)
    app.teardown_request(_release_mailbox_slot)
    app.register_error_handler(GraphError, graph_error_response)
    for status in (404, 405, 500):
        app.register_error_handler(status, _graph_shaped_http_error)
    app.register_error_handler(OAuthError, lambda error: (jsonify(error.body()), error.status))


def _graph_shaped_http_error(error: HTTPException) -> Response | HTTPException:
    """Unknown Graph paths and methods answer like Graph does; other paths keep Flask's pages."""
    if not request.path.startswith("/v1.0"):
        return error
    if error.code == 404:
        segment = request.path.rstrip("/").rsplit("/", 1)[-1]
        return graph_error_response(
            GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
        )
    if error.code == 405:
        return graph_error_response(
            GraphError(
                405,
                "Request_BadRequest",
                f"The HTTP method '{request.method}' is not allowed on this resource.",
            )
        )
    return graph_error_response(
        GraphError(500, "generalException", "An unexpected error occurred in the dev tenant.")
    )


def guard_graph_request() -> None:
    """The Graph blueprint's before_request (runs for requests inside a $batch too)."""
    ctx = tenant()
    g.token = _authenticate(ctx)
    _check_exchange_scope(ctx)
    latency = _injected_fault(ctx, graph_error=True)
    _take_mailbox_slot(ctx)
    if latency:
        time.sleep(latency / 1000)


def _fault_after_effect(response: Response) -> Response:
    error = g.pop("fault_after_effect", None)
    return graph_error_response(error) if error is not None else response


def _count_request() -> None:
    if request.path.startswith("/_devtenant"):
        return
    rule = request.url_rule.rule if request.url_rule else "(no route)"
    with tenant().state.lock:
        tenant().state.counters[f"{request.method} {rule}"] += 1


def _identity_faults() -> Response | None:
    """Faults reach the sign-in endpoints only when `path_prefix` names them explicitly."""
    if request.path.startswith(("/v1.0", "/_devtenant")):
        return None
    ctx = tenant()
    faults = ctx.state.faults
    if faults is None or not faults.path_prefix or not request.path.startswith(faults.path_prefix):
        return None
    latency = _injected_fault(ctx, graph_error=False)
    if latency:
        time.sleep(latency / 1000)
    return None


def _fault_applies(path: str, prefix: str | None) -> bool:
    graph_path = path[len("/v1.0") :] if path.startswith("/v1.0") else None
    if prefix is None:
        return graph_path is not None and not (graph_path == "/$batch" and not _inside_batch())
    if path.startswith(prefix):
        return True
    return graph_path is not None and graph_path.startswith(prefix)


def _inside_batch() -> bool:
    return bool(request.environ.get("devtenant.batch_inner"))


def _injected_fault(ctx: DevTenant, graph_error: bool) -> int:
    """Raise the injected error for this request if it is its turn; return latency to add."""
    with ctx.state.lock:
        faults = ctx.state.faults
        if faults is None or not _fault_applies(request.path, faults.path_prefix):
            return 0
        faults.matched += 1
        n, share = faults.matched, faults.throttle_share
        reject = math.ceil(n * share - 1e-9) > math.ceil((n - 1) * share - 1e-9)
        if not reject:
            return faults.latency_ms
        faults.rejected += 1
        ctx.state.throttled_count += 1
        if faults.count is not None and faults.rejected >= faults.count:
            ctx.state.faults = None
        status, retry_after, applied = faults.status, faults.retry_after, faults.applied
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if graph_error:
        error = GraphError(
            status, FAULT_CODES.get(status, "UnknownError"), FAULT_MESSAGES.get(status, "Fault."), headers
        )
        if applied:  # let the handler do its work; _fault_after_effect answers with the error
            g.fault_after_effect = error
            return faults.latency_ms
        raise error
    raise OAuthError(
        status,
        "temporarily_unavailable",
        50196 if status == 429 else 90033,
        "The server is temporarily unavailable. Retry the request later.",
    )


def _authenticate(ctx: DevTenant) -> dict:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not token or scheme.lower() != "bearer":
        raise _invalid_token("Access token is empty.")
    try:
        claims = ctx.signing_key.verify(token)
    except InvalidToken:
        raise _invalid_token("Access token validation failure. Invalid signature.") from None
    if claims.get("aud") not in (GRAPH_RESOURCE, f"{GRAPH_RESOURCE}/", GRAPH_APP_ID):
        raise _invalid_token("Access token validation failure. Invalid audience.")
    if claims.get("tid") != ctx.state.tenant_id:
        raise _invalid_token("Access token validation failure. Invalid tenant.")
    now = time.time()
    if claims.get("exp", 0) < now or claims.get("nbf", 0) > now + 300:
        raise _invalid_token("Lifetime validation failed, the token is expired.")
    return claims


def _invalid_token(message: str) -> GraphError:
    return GraphError(401, "InvalidAuthenticationToken", message, {"WWW-Authenticate": WWW_AUTHENTICATE})


def _check_exchange_scope(ctx: DevTenant) -> None:
    """RBAC for Applications: a mailbox outside the app's management scope answers 403, as Exchange
    Online does (no mailbox content, no hint whether it exists)."""
    match = MAILBOX_PATH.match(request.path)
    with ctx.state.lock:
        scope = ctx.state.settings.exchange_app_scope
        if not match or scope is None:
            return
        mailbox = ctx.state.find_mailbox(match.group(1))
        allowed = {address.lower() for address in scope}
        inside = mailbox is not None and (mailbox.address.lower() in allowed or mailbox.id in allowed)
    if not inside and match.group(1).lower() not in allowed:
        raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")


def _take_mailbox_slot(ctx: DevTenant) -> None:
    match = MAILBOX_PATH.match(request.path)
    if not match:
        return
    with ctx.state.lock:
        mailbox = ctx.state.find_mailbox(match.group(1))
        key = mailbox.id if mailbox else match.group(1).lower()
        limit = ctx.state.settings.mailbox_concurrency
    if not ctx.slots.try_acquire(key, limit):
        with ctx.state.lock:
            ctx.state.throttled_count += 1
        raise GraphError(
            429,
            "ApplicationThrottled",
            "Application is over its MailboxConcurrency limit.",
            {"Retry-After": "1"},
        )
    g.mailbox_slot = key


def _release_mailbox_slot(_error: BaseException | None) -> None:
    key = g.pop("mailbox_slot", None)
    if key is not None:
        tenant().slots.release(key)


def _graph_headers(response: Response) -> Response:
    if request.path.startswith(("/v1.0", "/beta")):
        _graph_content_type(response)
        request_id, client_request_id = request_ids()
        response.headers["request-id"] = request_id
        response.headers["client-request-id"] = client_request_id
        response.headers.setdefault("x-ms-ags-diagnostic", '{"ServerInfo":{"DataCenter":"DevTenant"}}')
    return response


def _graph_content_type(response: Response) -> None:
    """Graph's JSON answers name their OData format; an answer without a body has no Content-Type."""
    if response.status_code in (202, 204) or (not response.direct_passthrough and not response.get_data()):
        response.headers.pop("Content-Type", None)
    elif 200 <= response.status_code < 300 and response.mimetype == "application/json":
        response.headers["Content-Type"] = ODATA_JSON
