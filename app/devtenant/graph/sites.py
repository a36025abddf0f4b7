"""SharePoint list items: create (`POST .../items`), update (`PATCH .../items/{id}/fields`), delete, list.

Any site and list id is accepted (lists appear on first use); the items are kept for inspection.
Access as Graph grants it: `Sites.ReadWrite.All` (or higher) reaches every site; `Sites.Selected`
reaches only the sites where an admin granted the app a role with `POST /sites/{site-id}/permissions`
(which needs `Sites.FullControl.All`); anything else is 403 accessDenied.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Blueprint, g, request

from app.devtenant.context import tenant
from app.devtenant.errors import GraphError, bad_request
from app.devtenant.graph.common import (
    SHAREPOINT,
    collection,
    has_role,
    json_body,
    page_by_skip,
    permission,
    require,
    top,
)
from app.devtenant.timezones import iso_utc

blueprint = Blueprint("sites", __name__)

READ_SITES = permission(
    SHAREPOINT, "Sites.Read.All", "Sites.ReadWrite.All", "Sites.Manage.All", "Sites.FullControl.All"
)
WRITE_SITES = permission(SHAREPOINT, "Sites.ReadWrite.All", "Sites.Manage.All", "Sites.FullControl.All")
FULL_CONTROL = permission(SHAREPOINT, "Sites.FullControl.All")
SELECTED_ROLES = {"read": {"read", "write", "owner", "fullcontrol"}, "write": {"write", "owner", "fullcontrol"}}


def require_site(site_id: str, access: str) -> None:
    """The token reaches this site: a tenant-wide Sites permission, or Sites.Selected plus a grant."""
    if has_role(*(WRITE_SITES if access == "write" else READ_SITES).any_of):
        return
    app_id = str(g.token.get("appid", ""))
    if has_role("Sites.Selected") and any(
        grant["_site"] == site_id and grant["_app"] == app_id and set(grant["roles"]) & SELECTED_ROLES[access]
        for grant in tenant().state.site_permissions
    ):
        return
    require(WRITE_SITES if access == "write" else READ_SITES)


def _item(site_id: str, list_id: str, item_id: str) -> dict[str, Any]:
    for item in tenant().state.list_items:
        if (item["_site"], item["_list"], item["id"]) == (site_id, list_id, item_id):
            return item
    raise GraphError(404, "itemNotFound", "The resource could not be found.")


@blueprint.post("/sites/<site_id>/lists/<list_id>/items")
def create_item(site_id: str, list_id: str) -> tuple[dict[str, Any], int]:
    require_site(site_id, "write")
    fields = json_body().get("fields")
    if not isinstance(fields, dict) or not fields:
        raise bad_request("invalidRequest", "Invalid request: the body needs a non-empty 'fields' object.")
    state = tenant().state
    state.list_item_seq[(site_id, list_id)] = item_number = state.list_item_seq.get((site_id, list_id), 0) + 1
    item_id = str(item_number)
    now = iso_utc(dt.datetime.now(dt.timezone.utc))
    etag = f'"{uuid.uuid4()},1"'
    item = {
        "@odata.etag": etag,
        "id": item_id,
        "eTag": etag,
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "webUrl": f"https://auburnal.sharepoint.com/Lists/{list_id}/{item_id}_.000",
        "createdBy": {"application": {"id": str(g.token.get("appid", "")), "displayName": "MyGov"}},
        "fields": {"@odata.etag": etag, "id": item_id, **fields},
        "_site": site_id,
        "_list": list_id,
    }
    state.list_items.append(item)
    shown = {k: v for k, v in item.items() if not k.startswith("_")}
    return {
        "@odata.context": f"{tenant().graph_base()}/$metadata#sites('{site_id}')/lists('{list_id}')/items/$entity",
        **shown,
    }, 201


@blueprint.get("/sites/<site_id>/lists/<list_id>/items")
def list_items(site_id: str, list_id: str) -> dict[str, Any]:
    require_site(site_id, "read")
    items = [i for i in tenant().state.list_items if i["_site"] == site_id and i["_list"] == list_id]
    expand_fields = "fields" in (request.args.get("$expand") or request.args.get("expand") or "")
    shown = [
        {k: v for k, v in i.items() if not k.startswith("_") and (expand_fields or k != "fields")}
        for i in items
    ]
    page, next_link = page_by_skip(shown, top(200, 5000))
    return collection(f"sites('{site_id}')/lists('{list_id}')/items", page, next_link)


@blueprint.patch("/sites/<site_id>/lists/<list_id>/items/<item_id>/fields")
def update_item_fields(site_id: str, list_id: str, item_id: str) -> dict[str, Any]:
    """Graph answers the item's whole fieldValueSet; fields not named keep their values."""
    require_site(site_id, "write")
    changes = json_body()
    item = _item(site_id, list_id, item_id)
    now = iso_utc(dt.datetime.now(dt.timezone.utc))
    version = int(item["eTag"].rsplit(",", 1)[1].rstrip('"')) + 1
    etag = f'{item["eTag"].rsplit(",", 1)[0]},{version}"'
    item.update({"eTag": etag, "@odata.etag": etag, "lastModifiedDateTime": now})
    item["fields"].update({k: v for k, v in changes.items() if not k.startswith("@")}, **{"@odata.etag": etag})
    return {
        "@odata.context": f"{tenant().graph_base()}/$metadata#sites('{site_id}')/lists('{list_id}')/items('{item_id}')/fields/$entity",
        **item["fields"],
    }


@blueprint.delete("/sites/<site_id>/lists/<list_id>/items/<item_id>")
def delete_item(site_id: str, list_id: str, item_id: str) -> tuple[str, int]:
    require_site(site_id, "write")
    tenant().state.list_items.remove(_item(site_id, list_id, item_id))
    return "", 204


@blueprint.post("/sites/<site_id>/permissions")
def grant_site(site_id: str) -> tuple[dict[str, Any], int]:
    """An admin (Sites.FullControl.All) grants one app a role on this site, for Sites.Selected."""
    require(FULL_CONTROL)
    body = json_body()
    roles = body.get("roles")
    identities = body.get("grantedToIdentities") or body.get("grantedToIdentitiesV2") or []
    apps = [i.get("application") for i in identities if isinstance(i, dict) and isinstance(i.get("application"), dict)]
    if not isinstance(roles, list) or not roles or not set(roles) <= {"read", "write", "owner", "fullcontrol"} or not apps:
        raise bad_request("invalidRequest", "Invalid request")
    granted = []
    for application in apps:
        grant = {"id": uuid.uuid4().hex, "roles": list(roles), "_site": site_id, "_app": str(application.get("id", "")),
                 "grantedToIdentities": [{"application": application}],
                 "grantedToIdentitiesV2": [{"application": application}]}
        tenant().state.site_permissions.append(grant)
        granted.append(grant)
    shown = {k: v for k, v in granted[0].items() if not k.startswith("_")}
    return {"@odata.context": f"{tenant().graph_base()}/$metadata#sites('{site_id}')/permissions/$entity", **shown}, 201
