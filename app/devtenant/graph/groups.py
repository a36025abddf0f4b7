"""`/groups` and group membership, with Graph's idempotency-relevant answers (contract §4)."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from flask import Blueprint

from app.devtenant.context import tenant
from app.devtenant.errors import GraphError, bad_request, directory_not_found
from app.devtenant.graph.common import (
    DIRECTORY,
    collection,
    has_role,
    json_body,
    page_after_id,
    permission,
    project,
    require,
    selected,
    top,
)
from app.devtenant.graph.users import (
    DEFAULT_PROPERTIES as USER_PROPERTIES,
    READ_USERS,
    context_fragment,
    directory_query,
    find_user_or_404,
)
from app.devtenant.timezones import iso_utc

blueprint = Blueprint("groups", __name__)

READ_GROUPS = permission(
    DIRECTORY,
    "GroupMember.Read.All",
    "Group.Read.All",
    "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
)
WRITE_GROUPS = permission(DIRECTORY, "Group.ReadWrite.All", "Directory.ReadWrite.All")
CREATE_GROUPS = permission(DIRECTORY, "Group.Create", "Group.ReadWrite.All", "Directory.ReadWrite.All")
WRITE_MEMBERS = permission(
    DIRECTORY, "GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"
)
DEFAULT_PROPERTIES = (
    "id",
    "deletedDateTime",
    "classification",
    "createdDateTime",
    "description",
    "displayName",
    "groupTypes",
    "mail",
    "mailEnabled",
    "mailNickname",
    "securityEnabled",
    "visibility",
)
KNOWN_PROPERTIES = {*DEFAULT_PROPERTIES, "proxyAddresses", "isAssignableToRole"}
NICKNAME_FORBIDDEN = re.compile(r'[@()\\\[\]";:.<>, ]|[^\x00-\x7f]')
BIND_URL = re.compile(r"/(?:users|directoryObjects|groups)/([0-9a-fA-F-]{36}|[^/]+@[^/]+)$")
ALREADY_MEMBER = (
    "One or more added object references already exist for the following modified properties: 'members'."
)
MAX_BOUND_AT_CREATE = 20


def _replicated(group_id: str) -> bool:
    """Whether this read sees the group; each read before replication uses up one 404."""
    state = tenant().state
    reads_left = state.group_unreplicated_reads.get(group_id, 0)
    if reads_left > 0:
        state.group_unreplicated_reads[group_id] = reads_left - 1
        return False
    return state.group_visible_at.get(group_id, 0) <= time.time()


def find_group_or_404(group_id: str) -> dict[str, Any]:
    group = tenant().state.groups.get(group_id)
    if group is None or not _replicated(group_id):
        raise directory_not_found(group_id)
    return group


def _typed(object_id: str) -> dict[str, Any]:
    state = tenant().state
    if object_id in state.users:
        return {
            "@odata.type": "#microsoft.graph.user",
            **project(state.users[object_id], selected(), USER_PROPERTIES),
        }
    return {
        "@odata.type": "#microsoft.graph.group",
        **project(state.groups[object_id], selected(), DEFAULT_PROPERTIES),
    }


def _bound_id(url: Any, property_name: str) -> str:
    match = BIND_URL.search(url) if isinstance(url, str) else None
    if not match:
        raise bad_request(
            "Request_BadRequest", f"Invalid URL format specified in @odata.bind for {property_name}"
        )
    state = tenant().state
    key = match.group(1)
    user = state.find_user(key)
    if user is not None:
        return user["id"]
    if key in state.groups:
        return key
    raise directory_not_found(key)


@blueprint.get("/groups")
def list_groups() -> dict[str, Any]:
    require(READ_GROUPS)
    replicated = [g for g in tenant().state.groups.values() if _replicated(g["id"])]
    groups = directory_query(replicated, "Group", KNOWN_PROPERTIES)
    page, next_link = page_after_id(groups, top(100, 999))
    fields = selected()
    return collection(
        context_fragment("groups"), [project(g, fields, DEFAULT_PROPERTIES) for g in page], next_link
    )


@blueprint.get("/groups/<group_id>")
def get_group(group_id: str) -> dict[str, Any]:
    require(READ_GROUPS)
    group = find_group_or_404(group_id)
    return {
        "@odata.context": f"{tenant().graph_base()}/$metadata#groups/$entity",
        **project(group, selected(), DEFAULT_PROPERTIES),
    }


@blueprint.post("/groups")
def create_group() -> tuple[dict[str, Any], int]:
    require(CREATE_GROUPS)
    body = json_body()
    for name, kind in (
        ("displayName", str),
        ("mailEnabled", bool),
        ("mailNickname", str),
        ("securityEnabled", bool),
    ):
        if not isinstance(body.get(name), kind) or body.get(name) == "":
            raise bad_request(
                "Request_BadRequest", f"A value is required for property '{name}' of resource 'Group'."
            )
    if len(body["displayName"]) > 256:
        raise bad_request(
            "Request_BadRequest", "Invalid value specified for property 'displayName' of resource 'Group'."
        )
    if len(body["mailNickname"]) > 64 or NICKNAME_FORBIDDEN.search(body["mailNickname"]):
        raise bad_request(
            "Request_BadRequest", "Invalid value specified for property 'mailNickname' of resource 'Group'."
        )
    owner_urls, member_urls = body.get("owners@odata.bind") or [], body.get("members@odata.bind") or []
    if len(owner_urls) + len(member_urls) > MAX_BOUND_AT_CREATE:
        raise bad_request(
            "Request_BadRequest",
            "The request exceeds the limit of 20 owners and members added in a single request.",
        )
    owners = {_bound_id(url, "owners") for url in owner_urls}
    members = {_bound_id(url, "members") for url in member_urls}
    group: dict[str, Any] = {name: None for name in DEFAULT_PROPERTIES if name != "id"}
    group.update({key: value for key, value in body.items() if key in KNOWN_PROPERTIES})
    group.update(
        {
            "createdDateTime": iso_utc(dt.datetime.now(dt.timezone.utc)),
            "groupTypes": body.get("groupTypes") or [],
        }
    )
    state = tenant().state
    created = state.add_group(group, members, owners)
    state.group_visible_at[created["id"]] = time.time() + state.settings.groups_replication_seconds
    state.group_unreplicated_reads[created["id"]] = state.settings.groups_replication_reads
    return {
        "@odata.context": f"{tenant().graph_base()}/$metadata#groups/$entity",
        **project(created, None, DEFAULT_PROPERTIES),
    }, 201


@blueprint.delete("/groups/<group_id>")
def delete_group(group_id: str) -> tuple[str, int]:
    require(WRITE_GROUPS)
    find_group_or_404(group_id)
    tenant().state.remove_group(group_id)
    return "", 204


@blueprint.post("/groups/<group_id>/members/$ref")
def add_member(group_id: str) -> tuple[str, int]:
    require(WRITE_MEMBERS)
    find_group_or_404(group_id)
    member_id = _bound_id(json_body().get("@odata.id"), "members")
    members = tenant().state.members[group_id]
    if member_id in members:
        raise bad_request("Request_BadRequest", ALREADY_MEMBER)
    members.add(member_id)
    return "", 204


@blueprint.delete("/groups/<group_id>/members/<member_id>/$ref")
def remove_member(group_id: str, member_id: str) -> tuple[str, int]:
    require(WRITE_MEMBERS)
    find_group_or_404(group_id)
    members = tenant().state.members[group_id]
    if member_id not in members:
        raise directory_not_found(group_id)  # Graph names the group here, not the member
    members.discard(member_id)
    return "", 204


@blueprint.delete("/groups/<group_id>/members/<member_id>")
def delete_member_object(group_id: str, member_id: str) -> tuple[str, int]:
    """Without `/$ref` this addresses the member object itself: Graph deletes the user (gotcha 5)."""
    require(READ_GROUPS)
    find_group_or_404(group_id)
    if member_id not in tenant().state.members[group_id]:
        raise directory_not_found(member_id)
    if member_id not in tenant().state.users or not has_role("User.ReadWrite.All", "Directory.ReadWrite.All"):
        raise GraphError(
            403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
        )
    tenant().state.remove_user(member_id)
    return "", 204


@blueprint.get("/groups/<group_id>/members")
def list_members(group_id: str) -> dict[str, Any]:
    require(READ_GROUPS)
    find_group_or_404(group_id)
    members = [_typed(member_id) for member_id in tenant().state.members[group_id]]
    page, next_link = page_after_id(sorted(members, key=lambda m: m["id"]), top(100, 999))
    return collection("directoryObjects", page, next_link)


@blueprint.get("/users/<user_key>/memberOf")
def member_of(user_key: str) -> dict[str, Any]:
    require(READ_USERS)
    user = find_user_or_404(user_key)
    group_ids = [gid for gid, members in tenant().state.members.items() if user["id"] in members]
    return _group_objects(group_ids)


@blueprint.get("/users/<user_key>/transitiveMemberOf")
def transitive_member_of(user_key: str) -> dict[str, Any]:
    require(READ_USERS)
    user = find_user_or_404(user_key)
    return _group_objects(list(tenant().state.transitive_groups(user["id"])))


def _group_objects(group_ids: list[str]) -> dict[str, Any]:
    groups = sorted((_typed(gid) for gid in group_ids), key=lambda g: g["id"])
    page, next_link = page_after_id(groups, top(100, 999))
    return collection("directoryObjects", page, next_link)


@blueprint.post("/users/<user_key>/getMemberObjects")
def get_member_objects(user_key: str) -> dict[str, Any]:
    require(READ_USERS)
    user = find_user_or_404(user_key)
    security_only = json_body().get("securityEnabledOnly")
    if not isinstance(security_only, bool):
        raise bad_request("Request_BadRequest", "A value is required for parameter 'securityEnabledOnly'.")
    state = tenant().state
    ids = [
        gid
        for gid in state.transitive_groups(user["id"])
        if state.groups[gid].get("securityEnabled") or not security_only
    ]
    return {
        "@odata.context": f"{tenant().graph_base()}/$metadata#Collection(Edm.String)",
        "value": sorted(ids),
    }


@blueprint.post("/users/<user_key>/checkMemberGroups")
def check_member_groups(user_key: str) -> dict[str, Any]:
    require(READ_USERS, READ_GROUPS)
    user = find_user_or_404(user_key)
    group_ids = json_body().get("groupIds")
    if not isinstance(group_ids, list) or not group_ids:
        raise bad_request("Request_BadRequest", "A value is required for parameter 'groupIds'.")
    if len(group_ids) > 20:
        raise bad_request(
            "Request_BadRequest", "The number of group ids in the request exceeds the maximum of 20."
        )
    memberships = tenant().state.transitive_groups(user["id"])
    return {
        "@odata.context": f"{tenant().graph_base()}/$metadata#Collection(Edm.String)",
        "value": [gid for gid in group_ids if gid in memberships],
    }
