"""SharePoint list items: `POST /sites/{site-id}/lists/{list-id}/items` stores `fields`.

Any site and list id is accepted (lists appear on first use); the items are kept for inspection.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Blueprint, g, request

from app.devtenant.context import tenant
from app.devtenant.errors import bad_request
from app.devtenant.graph.common import (
    SHAREPOINT,
    collection,
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


@blueprint.post("/sites/<site_id>/lists/<list_id>/items")
def create_item(site_id: str, list_id: str) -> tuple[dict[str, Any], int]:
    require(WRITE_SITES)
    fields = json_body().get("fields")
    if not isinstance(fields, dict) or not fields:
        raise bad_request("invalidRequest", "Invalid request: the body needs a non-empty 'fields' object.")
    state = tenant().state
    item_id = str(1 + sum(1 for i in state.list_items if i["_site"] == site_id and i["_list"] == list_id))
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
    require(READ_SITES)
    items = [i for i in tenant().state.list_items if i["_site"] == site_id and i["_list"] == list_id]
    expand_fields = "fields" in (request.args.get("$expand") or request.args.get("expand") or "")
    shown = [
        {k: v for k, v in i.items() if not k.startswith("_") and (expand_fields or k != "fields")}
        for i in items
    ]
    page, next_link = page_by_skip(shown, top(200, 5000))
    return collection(f"sites('{site_id}')/lists('{list_id}')/items", page, next_link)
