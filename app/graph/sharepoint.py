"""SharePoint list items: add, update the fields of, and delete an item (e.g. a facility's bookings list).

With the least permission, `Sites.Selected`, the app reaches only the sites an admin granted it
(`POST /sites/{site-id}/permissions`, role `write`); Graph answers 403 accessDenied elsewhere.
"""
from __future__ import annotations

from typing import Any

from app.graph.client import GraphClient, segment


def _items(site_id: str, list_id: str) -> str:
    return f"/sites/{segment(site_id)}/lists/{segment(list_id)}/items"


def create_list_item(graph: GraphClient, site_id: str, list_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return graph.post(_items(site_id, list_id), json={"fields": fields}).body


def find_list_item(graph: GraphClient, site_id: str, list_id: str, field: str, value: Any) -> str | None:
    """The id of an item whose `field` holds `value` (read page by page; lists rarely index the field)."""
    for item in graph.pages(_items(site_id, list_id), params={"$expand": "fields", "$top": "200"}):
        if (item.get("fields") or {}).get(field) == value:
            return str(item["id"])
    return None


def update_list_item(graph: GraphClient, site_id: str, list_id: str, item_id: str,
                     fields: dict[str, Any]) -> dict[str, Any]:
    """PATCH the item's fieldValueSet (fields not named keep their values); Graph answers the whole set."""
    return graph.patch(f"{_items(site_id, list_id)}/{segment(item_id)}/fields", json=fields).body


def delete_list_item(graph: GraphClient, site_id: str, list_id: str, item_id: str) -> bool:
    """Delete; False when it was already gone."""
    return graph.delete_if_exists(f"{_items(site_id, list_id)}/{segment(item_id)}")
