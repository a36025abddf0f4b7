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
