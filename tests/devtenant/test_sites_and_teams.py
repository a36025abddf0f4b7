"""SharePoint list items and the Teams Workflows webhook stand-in."""

from __future__ import annotations

import base64
import json

import requests

from tests.devtenant.conftest import Graph, app_token, error_code

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


def _app_id(token: str) -> str:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["appid"]


def test_list_items_are_updated_and_deleted_as_graph_does(tenant, graph):
    items = "/sites/auburnal.sharepoint.com,abc,def/lists/Bookings/items"
    first = graph.post(items, json={"fields": {"Title": "R-1", "Room": "Study Room A"}}).json()
    updated = graph.patch(f"{items}/{first['id']}/fields", json={"Room": "Quiet Room"})
    assert updated.status_code == 200
    assert (updated.json()["Title"], updated.json()["Room"]) == ("R-1", "Quiet Room")  # the whole fieldValueSet
    assert updated.json()["@odata.etag"].endswith(',2"')
    assert graph.delete(f"{items}/{first['id']}").status_code == 204
    gone = graph.delete(f"{items}/{first['id']}")
    assert gone.status_code == 404 and error_code(gone) == "itemNotFound"
    assert graph.patch(f"{items}/{first['id']}/fields", json={"Room": "x"}).status_code == 404
    second = graph.post(items, json={"fields": {"Title": "R-2"}}).json()
    assert second["id"] != first["id"]  # SharePoint never reuses an item id
    assert [i["fields"]["Title"] for i in tenant.control.list_items()] == ["R-2"]


def test_sites_selected_reaches_only_the_sites_an_admin_granted(tenant):
    site, other = "auburnal.sharepoint.com,facilities,web", "auburnal.sharepoint.com,finance,web"
    tenant.control.set_app_roles(["Sites.Selected"])
    selected = Graph(tenant, app_token(tenant))
    refused = selected.post(f"/sites/{site}/lists/Bookings/items", json={"fields": {"Title": "R-1"}})
    assert refused.status_code == 403 and error_code(refused) == "accessDenied"
    grant_body = {"roles": ["write"], "grantedToIdentities": [
        {"application": {"id": _app_id(app_token(tenant)), "displayName": "MyGov"}}]}
    assert selected.post(f"/sites/{site}/permissions", json=grant_body).status_code == 403  # needs FullControl

    tenant.control.set_app_roles(["Sites.FullControl.All"])
    admin = Graph(tenant, app_token(tenant))
    granted = admin.post(f"/sites/{site}/permissions", json=grant_body)
    assert granted.status_code == 201 and granted.json()["roles"] == ["write"]

    tenant.control.set_app_roles(["Sites.Selected"])
    selected = Graph(tenant, app_token(tenant))
    created = selected.post(f"/sites/{site}/lists/Bookings/items", json={"fields": {"Title": "R-1"}})
    assert created.status_code == 201
    assert selected.patch(f"/sites/{site}/lists/Bookings/items/{created.json()['id']}/fields",
                          json={"Title": "R-1 (moved)"}).status_code == 200
    elsewhere = selected.post(f"/sites/{other}/lists/Bookings/items", json={"fields": {"Title": "R-2"}})
    assert elsewhere.status_code == 403 and error_code(elsewhere) == "accessDenied"
