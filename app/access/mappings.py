"""Role ↔ Entra group mappings: default names, linking existing groups, creating missing ones."""
from __future__ import annotations

import re
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.access.models import GroupMapping
from app.access import scopes
from app.access.registry import ROLES, role
from app.access.scopes import WHOLE_MODULE
from app.access.services import AccessError, audit, default_group_name, sync_registry, writes_back
from app.extensions import db
from app.graph import GraphClient, GraphError, groups
from app.jobs.queue import get_redis
from app.microsoft import graph_client
from app.people.models import Employee

AUTO_LINK_INTERVAL_SECONDS = 300
_NICKNAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def mail_nickname(name: str) -> str:
    """Graph's mailNickname: ASCII without spaces or @()\\[]";:.<>, and at most 64 characters."""
    return _NICKNAME_UNSAFE.sub("-", name)[:64]


def ensure_group_mappings() -> list[GroupMapping]:
    """One mapping per registered role, named by the configured pattern until a group is chosen,
    followed by the mappings of roles held for one scope (made when such a role is first granted)."""
    existing = {(m.module_key, m.role_key, m.scope): m for m in db.session.scalars(select(GroupMapping))}
    missing = [d for d in ROLES if (d.module, d.key, WHOLE_MODULE) not in existing]
    if missing:
        sync_registry()
        for definition in missing:
            mapping = GroupMapping(module_key=definition.module, role_key=definition.key, scope=WHOLE_MODULE,
                                   group_name=default_group_name(definition.module, definition.key))
            db.session.add(mapping)
            existing[(definition.module, definition.key, WHOLE_MODULE)] = mapping
        db.session.flush()
    scoped = sorted((m for m in existing.values() if m.scope), key=lambda m: (m.module_key, m.role_key, m.group_name))
    return [existing[(d.module, d.key, WHOLE_MODULE)] for d in ROLES] + scoped


def mapping_label(mapping: GroupMapping) -> str:
    """How the audit log names a mapping: the role, and its scope when it has one."""
    qualified = f"{mapping.module_key}.{mapping.role_key}"
    return f"{qualified}@{mapping.scope}" if mapping.scope else qualified


def _link(mapping: GroupMapping, group: dict[str, Any], actor: Employee | None, action: str) -> None:
    before = {"group_name": mapping.group_name, "group_object_id": mapping.group_object_id}
    mapping.group_name, mapping.group_object_id = group["displayName"], group["id"]
    mapping.last_reconciled_at, mapping.last_reconcile_result = None, None
    audit(actor, action, "group_mapping", mapping_label(mapping)[:64], before,
          {"group_name": mapping.group_name, "group_object_id": mapping.group_object_id},
          actor_label=None if actor else "MyGov (group found by name)")


def role_title(mapping: GroupMapping) -> str:
    """"Reservations approver" or "Reservations approver for Main Library"."""
    title = role(f"{mapping.module_key}.{mapping.role_key}").title
    return f"{title} for {scopes.label(mapping.scope)}" if mapping.scope else title


def link_groups_by_name(graph: GraphClient, actor: Employee | None = None) -> list[GroupMapping]:
    """Map each unmapped role to the Entra group that carries its configured name, if one exists."""
    linked = []
    for mapping in ensure_group_mappings():
        if mapping.group_object_id:
            continue
        group = groups.find_group_by_name(graph, mapping.group_name)
        if group and not _group_taken(group["id"], mapping):
            _link(mapping, group, actor, "group_mapping.link")
            linked.append(mapping)
    return linked


def link_groups_at_sign_in() -> None:
    """Sign-in seeds roles through the mappings, so unmapped roles are looked up by name first.

    At most once per AUTO_LINK_INTERVAL_SECONDS (across processes, through Redis): a tenant
    without these groups must not cost every sign-in nine Graph calls.
    """
    if all(mapping.group_object_id for mapping in ensure_group_mappings()):
        return
    if not get_redis().set("mygov:access:auto-link", "1", nx=True, ex=AUTO_LINK_INTERVAL_SECONDS):
        return
    try:
        link_groups_by_name(graph_client())
    except GraphError as error:
        current_app.logger.warning("could not look up role groups by name: %s", error)


def _group_taken(group_id: str, mapping: GroupMapping) -> GroupMapping | None:
    return db.session.scalar(
        select(GroupMapping).where(GroupMapping.group_object_id == group_id, GroupMapping.id != mapping.id)
    )


def map_group(mapping: GroupMapping, group_id: str, actor: Employee) -> None:
    """Map the role to an existing group the admin picked."""
    group = groups.get_group(graph_client(), group_id)
    if group is None:
        raise AccessError("That group no longer exists in Entra. Search again.")
    taken = _group_taken(group["id"], mapping)
    if taken:
        raise AccessError(f"{group['displayName']} is already mapped to {role_title(taken)}.")
    _link(mapping, group, actor, "group_mapping.map")
    db.session.commit()


def create_missing_groups(actor: Employee) -> list[GroupMapping]:
    """Link groups that exist by name and create the others as security groups owned by the admin."""
    graph = graph_client()
    done = link_groups_by_name(graph, actor)
    owners = (actor.entra_oid,) if writes_back(actor) else ()
    for mapping in ensure_group_mappings():
        if mapping.group_object_id:
            continue
        group = groups.create_security_group(
            graph, mapping.group_name, mail_nickname(mapping.group_name), owner_ids=owners,
            description=f"MyGov role {role_title(mapping)}: members are managed in MyGov.",
        )
        _link(mapping, group, actor, "group_mapping.create")
        done.append(mapping)
    db.session.commit()
    return done


def search_groups(text: str) -> list[dict[str, Any]]:
    text = text.strip()
    if not text:
        return []
    return list(groups.list_groups_with_prefix(graph_client(), text))[:50]
