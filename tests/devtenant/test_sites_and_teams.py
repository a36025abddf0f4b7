"""SharePoint list items and the Teams Workflows webhook stand-in."""

from __future__ import annotations

import requests

CARD = {
    "type": "message",
    "attachments": [
        {
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": None,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.2",
                "body": [{"type": "TextBlock", "text": "Booking confirmed"}],
            },
        }
    ],
}


def test_list_item_is_created_with_its_fields(tenant, graph):
    created = graph.post(
        "/sites/auburnal.sharepoint.com,abc,def/lists/Reservations/items",
        json={"fields": {"Title": "Program Room", "Status": "approved"}},
    )
    assert created.status_code == 201 and created.json()["fields"]["Title"] == "Program Room"
    assert graph.post("/sites/s/lists/l/items", json={"Title": "no fields wrapper"}).status_code == 400
    assert [i["fields"]["Status"] for i in tenant.control.list_items()] == ["approved"]


def test_list_items_change_and_go_and_sites_selected_reaches_only_granted_sites(tenant, graph):
    from tests.devtenant.conftest import Graph, app_token

    site, other = "auburnal.sharepoint.com,a,b", "auburnal.sharepoint.com,c,d"
    tenant.control.set_app_roles(["Sites.Selected"])
    selected = Graph(tenant, app_token(tenant))
    items = f"/sites/{site}/lists/L/items"
    assert selected.post(items, json={"fields": {"Title": "x"}}).status_code == 403  # nothing granted yet
    assert selected.post(f"/sites/{site}/permissions", json={"roles": ["write"]}).status_code == 403
    tenant.control.set_app_roles(["Sites.FullControl.All"])  # what an admin app grants with
    assert Graph(tenant, app_token(tenant)).post(f"/sites/{site}/permissions", json={"roles": ["write"]}).status_code == 201

    first = selected.post(items, json={"fields": {"Title": "Room A", "Status": "Approved"}}).json()
    changed = selected.patch(f"{items}/{first['id']}/fields", json={"Status": "Cancelled"})
    assert changed.status_code == 200 and changed.json()["Status"] == "Cancelled" and changed.json()["Title"] == "Room A"
    assert selected.delete(f"{items}/{first['id']}").status_code == 204
    assert selected.delete(f"{items}/{first['id']}").status_code == 404
    second = selected.post(items, json={"fields": {"Title": "Room B"}}).json()
    assert second["id"] != first["id"]  # an id is never given again
    assert selected.post(f"/sites/{other}/lists/L/items", json={"fields": {"Title": "x"}}).status_code == 403


def test_teams_workflow_webhook_takes_adaptive_cards_only(tenant):
    url = f"{tenant.url}/webhooks/teams/facilities"
    assert requests.post(url, json=CARD, verify=tenant.ca_path, timeout=30).status_code == 202
    message_card = {
        "@type": "MessageCard",
        "@context": "http://schema.org/extensions",
        "summary": "x",
        "sections": [],
    }
    assert requests.post(url, json=message_card, verify=tenant.ca_path, timeout=30).status_code == 400
    assert requests.post(url, json={"text": "hello"}, verify=tenant.ca_path, timeout=30).status_code == 400
    posts = tenant.control.teams_posts()
    assert len(posts) == 1 and posts[0]["webhook"] == "facilities"
