"""`GET /users/delta` (contract §3.2): full sync in pages, then only changes since the deltaLink.

Tokens are opaque to the caller and carry the `$select`, the directory version the round started
from and the token generation; the control API can expire every token (400 or 410), and can make
every page of a round come after an empty page that has only a nextLink (`delta_empty_pages`,
which calendarView/delta honours too).
"""

from __future__ import annotations

import time
from typing import Any, Callable

from flask import Blueprint, request

from app.devtenant.context import tenant
from app.devtenant.errors import GraphError, bad_request
from app.devtenant.graph.common import (
    SKIPTOKEN_PREFIX,
    collection,
    decode_token,
    encode_token,
    link,
    project,
    require,
    selected,
)
from app.devtenant.graph.users import DEFAULT_PROPERTIES, READ_USERS
from app.devtenant.odata import FilterError, parse_filter

blueprint = Blueprint("users_delta", __name__)
MAX_ID_FILTER = 50


@blueprint.get("/users/delta")
def users_delta() -> dict[str, Any]:
    require(READ_USERS)
    state = tenant().state
    delta_token, skip_token = request.args.get("$deltatoken"), request.args.get("$skiptoken")
    if delta_token == "latest":
        cursor = new_cursor(selected(), state.directory_version)
        return delta_page([], None, cursor, selected())
    if delta_token or skip_token:
        cursor = read_cursor(delta_token or skip_token or "")
    else:
        cursor = new_cursor(selected(), state.directory_version, initial=True)
        cursor["ids"] = _id_filter()
    fields = cursor["select"]
    after = cursor.get("after", "")
    if cursor.get("initial"):
        users = sorted((u for u in state.users.values() if u["id"] > after), key=lambda u: u["id"])
        users = [u for u in users if not cursor["ids"] or u["id"] in cursor["ids"]]
        items = [project(u, fields, DEFAULT_PROPERTIES) for u in users[: state.settings.delta_page_size + 1]]
        next_version = cursor["version"]
    else:
        items, next_version = _changes_since(cursor)
        items = [item for item in items if item["id"] > after]
    if delta_token:  # a new round: changes now count up to the current version
        cursor["upto"] = next_version
    if (empty := empty_page_cursor(cursor)) is not None:
        return delta_page([], empty, None, fields)
    page_size = state.settings.delta_page_size
    page = items[:page_size]
    if len(items) > page_size:
        return delta_page(page, {**cursor, "after": page[-1]["id"]}, None, fields)
    final = new_cursor(fields, cursor.get("upto", next_version))
    final["ids"] = cursor.get("ids")
    return delta_page(page, None, final, fields)


def _id_filter() -> list[str] | None:
    text = request.args.get("$filter")
    if not text:
        return None
    try:
        query = parse_filter(text)
    except FilterError as error:
        raise bad_request("Request_UnsupportedQuery", str(error)) from None
    if query.properties != {"id"} or not query.operators <= {"eq", "or"}:
        raise bad_request("Request_UnsupportedQuery", "Only id eq filters are supported by users delta.")
    ids = [u["id"] for u in tenant().state.users.values() if query.evaluate(u)]
    if text.count(" eq ") > MAX_ID_FILTER:
        raise bad_request(
            "Request_UnsupportedQuery", f"At most {MAX_ID_FILTER} ids may be filtered in a delta query."
        )
    return ids or ["(none)"]


def empty_page_cursor(cursor: dict[str, Any]) -> dict[str, Any] | None:
    """With `delta_empty_pages` on, the next link of the empty page owed before this page, else None."""
    if tenant().state.settings.delta_empty_pages and not cursor.pop("empty_page_served", False):
        return {**cursor, "empty_page_served": True}
    return None


def new_cursor(fields: list[str] | None, version: int, initial: bool = False) -> dict[str, Any]:
    return {
        "select": fields,
        "version": version,
        "initial": initial,
        "generation": tenant().state.delta_generation,
        "issued": int(time.time()),
    }


def read_cursor(token: str, restart: Callable[[dict[str, Any] | None], str] | None = None) -> dict[str, Any]:
    """The cursor inside a skip/delta token; expired tokens answer 400 syncStateNotFound or 410 Gone."""
    state = tenant().state
    cursor = decode_token(token, code="syncStateNotFound") if token.startswith(SKIPTOKEN_PREFIX) else None
    lifetime = state.settings.delta_token_lifetime_days * 86400
    valid = cursor is not None and cursor.get("generation") == state.delta_generation
    if not valid or time.time() - cursor["issued"] > lifetime:  # type: ignore[index]
        if state.delta_expiry_mode == "gone":
            raise GraphError(
                410,
                "resyncRequired",
                "Resync required. Replace any local items with the server's versions (including deletes).",
                {"Location": (restart or _restart_users)(cursor)},
            )
        raise bad_request(
            "syncStateNotFound",
            "The sync state generation is not found. Restart the sync from the beginning.",
        )
    return cursor  # type: ignore[return-value]


def _restart_users(cursor: dict[str, Any] | None) -> str:
    return link(
        "/users/delta", **({"$select": ",".join(cursor["select"])} if cursor and cursor.get("select") else {})
    )


def _changes_since(cursor: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """Objects changed after the cursor's version, as they are now (or `@removed`)."""
    state = tenant().state
    upto = cursor.get("upto", state.directory_version)
    fields, ids = cursor["select"], cursor.get("ids")
    latest: dict[str, Any] = {}
    for change in state.directory_log:
        if not cursor["version"] < change.version <= upto:
            continue
        if ids and change.object_id not in ids:
            continue
        tracked = change.properties is None or not fields or bool(change.properties & set(fields))
        if tracked or change.removed:
            latest[change.object_id] = change
    items: list[dict[str, Any]] = []
    for object_id in sorted(latest):
        user = state.users.get(object_id)
        if user is not None:
            items.append(project(user, fields, DEFAULT_PROPERTIES))
        else:
            reason = "changed" if object_id in state.deleted_users else "deleted"
            items.append({"id": object_id, "@removed": {"reason": reason}})
    return items, upto


def delta_page(
    page: list[dict[str, Any]],
    next_cursor: dict[str, Any] | None,
    delta_cursor: dict[str, Any] | None,
    fields: list[str] | None,
    path: str = "/users/delta",
    fragment: str | None = None,
) -> dict[str, Any]:
    fragment = fragment or (f"users({','.join(fields)})" if fields else "users")
    body = collection(
        fragment, page, link(path, **{"$skiptoken": encode_token(next_cursor)}) if next_cursor else None
    )
    if delta_cursor:
        body["@odata.deltaLink"] = link(path, **{"$deltatoken": encode_token(delta_cursor)})
    return body
