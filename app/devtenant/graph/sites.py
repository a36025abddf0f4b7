"""SharePoint list items: `POST /sites/{site-id}/lists/{list-id}/items` stores `fields`,
`PATCH .../items/{id}/fields` changes them, `DELETE .../items/{id}` removes the item.

Any site and list id is accepted (lists appear on first use); the items are kept for inspection.
An app with only `Sites.Selected` reaches a site only after `POST /sites/{id}/permissions` granted
it there (read, or write), as in Microsoft Graph; the tenant-wide `Sites.*.All` roles reach every site.
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


def _require_site(site_id: str, write: bool) -> None:
    """Tenant-wide site roles, or Sites.Selected with a grant on this site."""
    grants = tenant().state.site_grants.get(site_id, set())
    if has_role("Sites.Selected") and (grants & ({"write"} if write else {"read", "write"})):
        return
    require(WRITE_SITES if write else READ_SITES)


@blueprint.post("/sites/<site_id>/permissions")
def grant_site(site_id: str) -> tuple[dict[str, Any], int]:
    require(permission(SHAREPOINT, "Sites.FullControl.All"))
    roles = json_body().get("roles")
    if not isinstance(roles, list) or not set(roles) <= {"read", "write"} or not roles:
        raise bad_request("invalidRequest", "Invalid request: roles must be read and/or write.")
    tenant().state.site_grants.setdefault(site_id, set()).update(roles)
    return {"id": str(uuid.uuid4()), "roles": roles}, 201


def _item(site_id: str, list_id: str, item_id: str) -> dict[str, Any]:
    for item in tenant().state.list_items:
        if item["_site"] == site_id and item["_list"] == list_id and item["id"] == item_id:
            return item
    raise GraphError(404, "itemNotFound", "The resource could not be found.")


@blueprint.patch("/sites/<site_id>/lists/<list_id>/items/<item_id>/fields")
def update_fields(site_id: str, list_id: str, item_id: str) -> dict[str, Any]:
    _require_site(site_id, write=True)
    item = _item(site_id, list_id, item_id)
    changes = json_body()
    item["fields"].update({k: v for k, v in changes.items() if not k.startswith("@")})
    item["lastModifiedDateTime"] = iso_utc(dt.datetime.now(dt.timezone.utc))
    return {"@odata.context": f"{tenant().graph_base()}/$metadata#sites('{site_id}')/lists('{list_id}')/items"
            f"('{item_id}')/fields/$entity", **item["fields"]}


@blueprint.delete("/sites/<site_id>/lists/<list_id>/items/<item_id>")
def delete_item(site_id: str, list_id: str, item_id: str) -> tuple[str, int]:
    _require_site(site_id, write=True)
    tenant().state.list_items.remove(_item(site_id, list_id, item_id))
    return "", 204


@blueprint.post("/sites/<site_id>/lists/<list_id>/items")
def create_item(site_id: str, list_id: str) -> tuple[dict[str, Any], int]:
    _require_site(site_id, write=True)
    fields = json_body().get("fields")
    if not isinstance(fields, dict) or not fields:
        raise bad_request("invalidRequest", "Invalid request: the body needs a non-empty 'fields' object.")
    state = tenant().state
    numbers = state.list_item_numbers  # SharePoint never gives a deleted item's id again
    numbers[(site_id, list_id)] = numbers.get((site_id, list_id), 0) + 1
    item_id = str(numbers[(site_id, list_id)])
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
    _require_site(site_id, write=False)
    items = [i for i in tenant().state.list_items if i["_site"] == site_id and i["_list"] == list_id]
    expand_fields = "fields" in (request.args.get("$expand") or request.args.get("expand") or "")
    shown = [
        {k: v for k, v in i.items() if not k.startswith("_") and (expand_fields or k != "fields")}
        for i in items
    ]
    page, next_link = page_by_skip(shown, top(200, 5000))
    return collection(f"sites('{site_id}')/lists('{list_id}')/items", page, next_link)
