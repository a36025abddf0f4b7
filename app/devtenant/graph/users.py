"""`/users`: list with Graph's query rules, get, `$count`, photo, delete."""

from __future__ import annotations

import re
import struct
from typing import Any

from flask import Blueprint, Response, request

from app.devtenant.context import tenant
from app.devtenant.errors import GraphError, bad_request, directory_not_found
from app.devtenant.graph.common import (
    DIRECTORY,
    collection,
    json_body,
    page_after_id,
    permission,
    project,
    require,
    selected,
    top,
)
from app.devtenant.odata import FilterError, parse_filter

blueprint = Blueprint("users", __name__)

READ_USERS = permission(
    DIRECTORY, "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"
)
WRITE_USERS = permission(DIRECTORY, "User.ReadWrite.All", "Directory.ReadWrite.All")
DEFAULT_PROPERTIES = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)
KNOWN_PROPERTIES = {
    *DEFAULT_PROPERTIES,
    "accountEnabled",
    "department",
    "employeeId",
    "userType",
    "usageLocation",
    "createdDateTime",
    "companyName",
    "otherMails",
    "proxyAddresses",
    "mailNickname",
    "city",
}
READ_ONLY_PROPERTIES = {"id", "createdDateTime", "proxyAddresses"}
ADVANCED_OPERATORS = {"ne", "not", "endswith"}
SEARCH_CLAUSE = re.compile(r'"(\w+):([^"]*)"')
NO_PHOTO_METADATA = {"@odata.mediaContentType": "image/gif", "id": "1X1", "width": 1, "height": 1}


def eventual_consistency() -> bool:
    return request.headers.get("ConsistencyLevel", "").lower() == "eventual"


def count_requested() -> bool:
    return request.args.get("$count", "").lower() == "true"


def check_advanced_query(resource: str, known: set[str], operators: set[str], properties: set[str]) -> None:
    """Graph's directory rule: `ne`, `not`, `endswith` need ConsistencyLevel: eventual + $count=true."""
    for name in properties:
        if name not in known:
            raise bad_request(
                "Request_BadRequest",
                f"Could not find a property named '{name}' on type 'microsoft.graph.{resource.lower()}'.",
            )
    if operators & ADVANCED_OPERATORS and not (eventual_consistency() and count_requested()):
        name = sorted(properties)[0] if properties else "unknown"
        raise bad_request(
            "Request_UnsupportedQuery",
            f"Unsupported or invalid query filter clause specified for property '{name}' of resource '{resource}'.",
        )


def directory_query(items: list[dict[str, Any]], resource: str, known: set[str]) -> list[dict[str, Any]]:
    """Apply `$filter`, `$search` and the `$count`/`$skip` rules shared by users and groups."""
    if "$skip" in request.args:
        raise bad_request("Request_BadRequest", "'$skip' is not supported by the service.")
    if "$orderby" in request.args:  # a deliberate gap: refuse rather than return an unsorted page
        raise bad_request("Request_UnsupportedQuery", "$orderby is not supported by the dev tenant.")
    if count_requested() and not eventual_consistency():
        raise bad_request(
            "Request_UnsupportedQuery",
            "$count is not currently supported without the ConsistencyLevel header set to eventual.",
        )
    if "$filter" in request.args:
        try:
            query = parse_filter(request.args["$filter"])
        except FilterError as error:
            raise bad_request("Request_UnsupportedQuery", str(error)) from None
        check_advanced_query(resource, known, query.operators, query.properties)
        items = [item for item in items if query.evaluate(item)]
    if "$search" in request.args:
        if not eventual_consistency():
            raise bad_request(
                "Request_UnsupportedQuery",
                "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
            )
        items = [item for item in items if _search_matches(item, request.args["$search"])]
    return sorted(items, key=lambda item: item["id"])


def _search_matches(item: dict[str, Any], search: str) -> bool:
    """`"displayName:jane"` clauses: tokenized prefix match, joined by AND / OR."""
    clauses = SEARCH_CLAUSE.findall(search)
    if not clauses:
        raise bad_request(
            "Request_UnsupportedQuery", f"Syntax error: the search value '{search}' is not valid."
        )
    results = []
    for name, value in clauses:
        words = re.split(r"[\s.@_-]+", str(item.get(name) or "").lower())
        text = str(item.get(name) or "").lower()
        results.append(text.startswith(value.lower()) or any(w.startswith(value.lower()) for w in words if w))
    return any(results) if re.search(r'"\s+OR\s+"', search) else all(results)


def find_user_or_404(key: str) -> dict[str, Any]:
    user = tenant().state.find_user(key)
    if user is None:
        raise directory_not_found(key)
    return user


def context_fragment(entity_set: str) -> str:
    fields = selected()
    return f"{entity_set}({','.join(fields)})" if fields else entity_set


@blueprint.get("/users")
def list_users() -> dict[str, Any]:
    require(READ_USERS)
    users = directory_query(list(tenant().state.users.values()), "User", KNOWN_PROPERTIES)
    page, next_link = page_after_id(users, top(100, 999))
    extra = {"@odata.count": len(users)} if count_requested() else {}
    fields = selected()
    return collection(
        context_fragment("users"), [project(u, fields, DEFAULT_PROPERTIES) for u in page], next_link, **extra
    )


@blueprint.get("/users/$count")
def count_users() -> Response:
    require(READ_USERS)
    if not eventual_consistency():
        raise bad_request(
            "Request_BadRequest",
            "$count is not currently supported without the ConsistencyLevel header set to eventual.",
        )
    users = directory_query(list(tenant().state.users.values()), "User", KNOWN_PROPERTIES)
    return Response(str(len(users)), mimetype="text/plain")


@blueprint.get("/users/<user_key>")
def get_user(user_key: str) -> dict[str, Any]:
    require(READ_USERS)
    user = find_user_or_404(user_key)
    return {
        "@odata.context": f"{tenant().graph_base()}/$metadata#users/$entity",
        **project(user, selected(), DEFAULT_PROPERTIES),
    }


@blueprint.patch("/users/<user_key>")
def update_user(user_key: str) -> tuple[str, int]:
    require(WRITE_USERS)
    user = find_user_or_404(user_key)
    changes = json_body()
    for name in changes:
        if name not in KNOWN_PROPERTIES:
            raise bad_request(
                "Request_BadRequest", f"Property '{name}' does not exist on type 'microsoft.graph.user'."
            )
        if name in READ_ONLY_PROPERTIES:
            raise bad_request(
                "Request_BadRequest", f"Property '{name}' is read-only and cannot be set."
            )
    tenant().state.update_user(user["id"], changes)
    return "", 204


@blueprint.delete("/users/<user_key>")
def delete_user(user_key: str) -> tuple[str, int]:
    require(WRITE_USERS)
    user = find_user_or_404(user_key)
    tenant().state.remove_user(user["id"])
    return "", 204


@blueprint.get("/users/<user_key>/photo")
def photo_metadata(user_key: str) -> dict[str, Any]:
    require(READ_USERS)
    user = find_user_or_404(user_key)
    stored = tenant().state.photos.get(user["id"])
    if stored is None:
        return {
            "@odata.context": f"{tenant().graph_base()}/$metadata#users('{user['id']}')/photo/$entity",
            **NO_PHOTO_METADATA,
        }
    data, content_type, etag = stored
    width, height = _png_size(data)
    return {
        "@odata.context": f"{tenant().graph_base()}/$metadata#users('{user['id']}')/photo/$entity",
        "@odata.mediaContentType": content_type,
        "@odata.mediaEtag": etag,
        "id": f"{width}x{height}",
        "width": width,
        "height": height,
    }


def _png_size(data: bytes) -> tuple[int, int]:
    """Size from a PNG header; photos uploaded in other formats are reported as 240x240."""
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    return 240, 240


@blueprint.get("/users/<user_key>/photo/$value")
def photo_value(user_key: str) -> Response:
    require(READ_USERS)
    user = find_user_or_404(user_key)
    stored = tenant().state.photos.get(user["id"])
    if stored is None:
        raise GraphError(
            404,
            "ImageNotFound",
            "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
        )
    data, content_type, etag = stored
    return Response(data, mimetype=content_type, headers={"ETag": etag})
