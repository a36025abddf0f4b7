"""`POST /$batch` (contract §10): up to 20 requests run through the same handlers.

Inner requests keep their own status and headers (a throttled one is an inner 429 with its own
Retry-After); `dependsOn` orders them and a failed dependency gives 424; the responses come
back shuffled, so callers must correlate by id.
"""

from __future__ import annotations

import base64
import json
import random
from typing import Any

from flask import Blueprint, current_app, request

from app.devtenant.errors import bad_request
from app.devtenant.graph.common import json_body

blueprint = Blueprint("batch", __name__)
MAX_REQUESTS = 20
METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def _validate(requests: Any) -> list[dict[str, Any]]:
    if not isinstance(requests, list) or not requests:
        raise bad_request("BadRequest", "Invalid batch payload format.")
    if len(requests) > MAX_REQUESTS:
        raise bad_request(
            "BadRequest", f"The batch contains {len(requests)} requests; at most {MAX_REQUESTS} are allowed."
        )
    seen: set[str] = set()
    for item in requests:
        if (
            not isinstance(item, dict)
            or not item.get("id")
            or not item.get("url")
            or str(item.get("method", "")).upper() not in METHODS
        ):
            raise bad_request("BadRequest", "Every batch request needs an id, a method and a url.")
        key = str(item["id"]).lower()
        if key in seen:
            raise bad_request("BadRequest", f"Batch request ids must be unique; '{item['id']}' is repeated.")
        seen.add(key)
        if not str(item["url"]).startswith("/"):
            raise bad_request(
                "BadRequest", f"Invalid request url '{item['url']}': batch urls are relative, like /users."
            )
        headers = {k.lower() for k in (item.get("headers") or {})}
        if "body" in item and "content-type" not in headers:
            raise bad_request("BadRequest", f"Request '{item['id']}' has a body but no Content-Type header.")
    for item in requests:
        for dependency in item.get("dependsOn") or []:
            if str(dependency).lower() not in seen:
                raise bad_request(
                    "BadRequest",
                    f"Request '{item['id']}' depends on '{dependency}', which is not in the batch.",
                )
    return requests


def _ordered(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Requests in an order that runs every dependency first (cycles are rejected)."""
    by_id = {str(r["id"]).lower(): r for r in requests}
    done: list[dict[str, Any]] = []
    visiting: set[str] = set()

    def visit(key: str) -> None:
        if any(str(r["id"]).lower() == key for r in done):
            return
        if key in visiting:
            raise bad_request("BadRequest", "The dependsOn chain of the batch has a cycle.")
        visiting.add(key)
        for dependency in by_id[key].get("dependsOn") or []:
            visit(str(dependency).lower())
        done.append(by_id[key])

    for key in by_id:
        visit(key)
    return done


def _run(item: dict[str, Any]) -> dict[str, Any]:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    headers = dict(item.get("headers") or {})
    headers["Authorization"] = request.headers.get("Authorization", "")
    body = item.get("body")
    data = None
    if body is not None:
        is_json = "json" in next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        data = json.dumps(body).encode() if is_json or not isinstance(body, str) else base64.b64decode(body)
    with app.app_context():  # a fresh `g` for the inner request
        response = app.test_client().open(
            "/v1.0" + item["url"],
            method=str(item["method"]).upper(),
            headers=headers,
            data=data,
            environ_overrides={"devtenant.batch_inner": True, "REMOTE_ADDR": request.remote_addr},
        )
    answer: dict[str, Any] = {
        "id": str(item["id"]),
        "status": response.status_code,
        "headers": {k: v for k, v in response.headers.items() if k.lower() not in ("content-length",)},
    }
    if response.data:
        answer["body"] = response.get_json() if response.is_json else base64.b64encode(response.data).decode()
    return answer


@blueprint.post("/$batch")
def batch() -> dict[str, Any]:
    requests = _validate(json_body().get("requests"))
    results: dict[str, dict[str, Any]] = {}
    for item in _ordered(requests):
        failed = [d for d in item.get("dependsOn") or [] if results[str(d).lower()]["status"] >= 400]
        if failed:
            results[str(item["id"]).lower()] = {
                "id": str(item["id"]),
                "status": 424,
                "body": {
                    "error": {
                        "code": "FailedDependency",
                        "message": f"Depends on a failed request: {', '.join(failed)}.",
                    }
                },
            }
            continue
        results[str(item["id"]).lower()] = _run(item)
    responses = list(results.values())
    random.shuffle(responses)
    return {"responses": responses}
