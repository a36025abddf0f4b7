"""SharePoint lists: add and change items (e.g. a facility's list of approved reservations).

With the least permission, `Sites.Selected`, the app reaches only the sites an admin granted it.
"""
from __future__ import annotations

from typing import Any

from app.graph.client import GraphClient, segment


def create_list_item(graph: GraphClient, site_id: str, list_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return graph.post(f"/sites/{segment(site_id)}/lists/{segment(list_id)}/items", json={"fields": fields}).body


def update_list_item(graph: GraphClient, site_id: str, list_id: str, item_id: str,
                     fields: dict[str, Any]) -> dict[str, Any]:
    path = f"/sites/{segment(site_id)}/lists/{segment(list_id)}/items/{segment(item_id)}/fields"
    return graph.patch(path, json=fields).body
