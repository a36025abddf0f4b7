"""SharePoint lists: add an item (e.g. a row in a departmental tracking list)."""
from __future__ import annotations

from typing import Any

from app.graph.client import GraphClient, segment


def create_list_item(graph: GraphClient, site_id: str, list_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return graph.post(f"/sites/{segment(site_id)}/lists/{segment(list_id)}/items", json={"fields": fields}).body
