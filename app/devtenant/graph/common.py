"""Helpers every Graph area shares: permission checks, JSON bodies, `$select`, paging links."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import g, request

from app.devtenant.context import tenant
from app.devtenant.errors import GraphError, bad_request

DIRECTORY = "directory"
OUTLOOK = "outlook"
SHAREPOINT = "sharepoint"
DENIED = {
    DIRECTORY: ("Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
    OUTLOOK: ("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
    SHAREPOINT: ("accessDenied", "Access denied"),
}
SKIPTOKEN_PREFIX = "RFNwdAIA"


@dataclass(frozen=True)
class Permission:
    """Application permissions of which the token's `roles` must hold at least one."""

    any_of: frozenset[str]
    family: str


def permission(family: str, *roles: str) -> Permission:
    return Permission(frozenset(roles), family)


def require(*permissions: Permission) -> None:
    roles = set(g.token.get("roles") or [])
    for needed in permissions:
        if not roles & needed.any_of:
            code, message = DENIED[needed.family]
            raise GraphError(403, code, message)


def has_role(*roles: str) -> bool:
    return bool(set(g.token.get("roles") or []) & set(roles))


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise bad_request("BadRequest", "Empty Payload. JSON content expected.")
    return body


def action_parameters(*names: str) -> dict[str, Any]:
    """An action's JSON body with its parameter names as declared: Graph reads action parameters
    case-insensitively (`Schedules`, `SaveToSentItems` as the CSDL writes them, or `schedules`)."""
    declared = {name.lower(): name for name in names}
    return {declared.get(key.lower(), key): value for key, value in json_body().items()}


def selected(args_name: str = "$select") -> list[str] | None:
    value = request.args.get(args_name)
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


def project(
    item: dict[str, Any], fields: list[str] | None, default: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """The item limited to `$select` (always with its id), else to the default property set."""
    names = fields or (list(default) if default else None)
    if names is None:
        return {key: value for key, value in item.items() if not key.startswith("_")}
    names = [name for name in names if name != "id"] + ["id"]
    return {name: item.get(name) for name in names}


def top(default: int, maximum: int) -> int:
    value = request.args.get("$top")
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise bad_request(
            "Request_BadRequest",
            f"Invalid page size specified: '{value}'. Must be between 1 and {maximum} inclusive.",
        )
    return int(value)


def encode_token(payload: dict[str, Any]) -> str:
    return SKIPTOKEN_PREFIX + base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def decode_token(token: str, code: str = "Request_BadRequest") -> dict[str, Any]:
    try:
        if not token.startswith(SKIPTOKEN_PREFIX):
            raise ValueError(token)
        raw = token[len(SKIPTOKEN_PREFIX) :]
        return json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except ValueError:
        raise bad_request(code, "The specified page token value has expired or is not valid.") from None


def link(path: str, **params: str) -> str:
    """An absolute Graph URL for `path` (relative to /v1.0) with the given query parameters."""
    query = urlencode(params, safe="$',()=:")
    return f"{tenant().graph_base()}{path}" + (f"?{query}" if query else "")


def current_params(*dropped: str) -> dict[str, str]:
    return {key: value for key, value in request.args.items() if key not in dropped}


def relative_path() -> str:
    return request.path[len("/v1.0") :]


def page_after_id(items: list[dict[str, Any]], page_size: int) -> tuple[list[dict[str, Any]], str | None]:
    """One page of `items` (sorted by id) after the caller's skiptoken, and the next link."""
    token = request.args.get("$skiptoken")
    if token:
        after = decode_token(token).get("after", "")
        items = [item for item in items if item["id"] > after]
    page = items[:page_size]
    if len(items) <= page_size:
        return page, None
    next_token = encode_token({"after": page[-1]["id"]})
    return page, link(relative_path(), **current_params("$skiptoken"), **{"$skiptoken": next_token})


def page_by_skip(items: list[Any], page_size: int) -> tuple[list[Any], str | None]:
    """Outlook collections page with `$skip` in their nextLink."""
    skip_text = request.args.get("$skip", "0")
    skip = int(skip_text) if skip_text.isdigit() else 0
    page = items[skip : skip + page_size]
    if skip + page_size >= len(items):
        return page, None
    return page, link(relative_path(), **current_params("$skip"), **{"$skip": str(skip + page_size)})


def context_url(fragment: str) -> str:
    return f"{tenant().graph_base()}/$metadata#{fragment}"


def collection(
    fragment: str, page: list[dict[str, Any]], next_link: str | None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"@odata.context": context_url(fragment), **extra}
    if next_link:
        body["@odata.nextLink"] = next_link
    body["value"] = page
    return body
