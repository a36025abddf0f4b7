"""Groups: find, create, add/remove members idempotently, a user's groups (contract §4, §1.3)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from app.graph.client import GraphClient, segment
from app.graph.errors import GraphError, GraphNotFound

ALREADY_MEMBER_MESSAGE = "added object references already exist"
CHECK_MEMBER_GROUPS_LIMIT = 20


def odata_string(value: str) -> str:
    """A string literal for $filter: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def find_group_by_name(graph: GraphClient, display_name: str) -> dict[str, Any] | None:
    params = {
        "$filter": f"displayName eq {odata_string(display_name)}",
        "$select": "id,displayName,mailNickname,securityEnabled,mailEnabled,groupTypes",
    }
    return next(iter(graph.pages("/groups", params=params)), None)


def get_group(graph: GraphClient, group_id: str) -> dict[str, Any] | None:
    try:
        return graph.get(f"/groups/{segment(group_id)}", params={"$select": "id,displayName,mailNickname"}).body
    except GraphNotFound:
        return None


def list_groups_with_prefix(graph: GraphClient, prefix: str) -> Iterator[dict[str, Any]]:
    params = {"$filter": f"startswith(displayName,{odata_string(prefix)})", "$select": "id,displayName,mailNickname"}
    return graph.pages("/groups", params=params)


def create_security_group(
    graph: GraphClient, display_name: str, mail_nickname: str, *, description: str = "",
    owner_ids: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A security group. Bind an owner: an ownerless app-created group can't be managed later."""
    body: dict[str, Any] = {
        "displayName": display_name,
        "mailEnabled": False,
        "mailNickname": mail_nickname,
        "securityEnabled": True,
    }
    if description:
        body["description"] = description
    if owner_ids:
        body["owners@odata.bind"] = [f"{graph.settings.graph_base_url}/users/{oid}" for oid in owner_ids]
    return graph.post("/groups", json=body).body


def add_group_member(graph: GraphClient, group_id: str, user_id: str) -> Literal["added", "already-member"]:
    body = {"@odata.id": f"{graph.settings.graph_base_url}/directoryObjects/{user_id}"}
    try:
        graph.post(f"/groups/{segment(group_id)}/members/$ref", json=body, repeatable=True)  # "already" = done
    except GraphError as error:
        # Only the message tells "already a member" from other bad requests (contract §4.3).
        if error.status == 400 and ALREADY_MEMBER_MESSAGE in error.message:
            return "already-member"
        raise
    return "added"


def remove_group_member(graph: GraphClient, group_id: str, user_id: str) -> Literal["removed", "not-a-member"]:
    # Always /$ref: without it Graph deletes the user from the directory (gotcha 5).
    try:
        graph.delete(f"/groups/{segment(group_id)}/members/{segment(user_id)}/$ref")
    except GraphNotFound:
        # The 404 is the same whether the user or the group is missing: make sure it's the user.
        graph.get(f"/groups/{segment(group_id)}", params={"$select": "id"})
        return "not-a-member"
    return "removed"


def group_member_ids(graph: GraphClient, group_id: str) -> set[str]:
    members = graph.pages(f"/groups/{segment(group_id)}/members", params={"$select": "id", "$top": 999})
    return {member["id"] for member in members}


def group_members(graph: GraphClient, group_id: str) -> list[dict[str, Any]]:
    """Direct members with the names a person can read (id, displayName, userPrincipalName)."""
    params = {"$select": "id,displayName,userPrincipalName", "$top": 999}
    return list(graph.pages(f"/groups/{segment(group_id)}/members", params=params))


def member_group_ids(graph: GraphClient, user_id: str) -> list[str]:
    """Every security group the user belongs to, transitively: resolves the groups overage."""
    body = graph.post(f"/users/{segment(user_id)}/getMemberObjects", json={"securityEnabledOnly": True},
                      repeatable=True).body
    return list((body or {}).get("value", []))


def check_member_groups(graph: GraphClient, user_id: str, group_ids: list[str]) -> set[str]:
    """Which of these groups the user is in; at most 20 ids per call, so it is chunked."""
    found: set[str] = set()
    for start in range(0, len(group_ids), CHECK_MEMBER_GROUPS_LIMIT):
        chunk = group_ids[start:start + CHECK_MEMBER_GROUPS_LIMIT]
        body = graph.post(f"/users/{segment(user_id)}/checkMemberGroups", json={"groupIds": chunk},
                          repeatable=True).body
        found.update((body or {}).get("value", []))
    return found
