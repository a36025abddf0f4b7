"""Subscriptions and change notifications as Graph does them (issue 23, docs/graph-notifications.md)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from tests.devtenant.conftest import ROOM, error_code
from tests.devtenant.notification_receiver import NotificationReceiver

SENDER = "noreply@auburnal.gov"


@pytest.fixture
def receiver(tenant) -> Iterator[NotificationReceiver]:
    tenant.control.update_settings(notification_https_only=False)
    receiver = NotificationReceiver()
    yield receiver
    receiver.stop()


def _in(minutes: float) -> str:
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _subscribe(graph, receiver, resource: str, minutes: float = 4230, **extra):
    return graph.post(
        "/subscriptions",
        json={
            "changeType": "created,updated,deleted",
            "notificationUrl": receiver.url,
            "lifecycleNotificationUrl": receiver.url,
            "resource": resource,
            "expirationDateTime": _in(minutes),
            "clientState": "s3cret-room",
            **extra,
        },
    )


def _event(subject: str = "Outlook booking") -> dict:
    return {
        "subject": subject,
        "start": {"dateTime": "2030-03-04T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2030-03-04T11:00:00", "timeZone": "UTC"},
    }


def test_create_validates_the_url_and_room_changes_arrive_batched(tenant, graph, receiver):
    created = _subscribe(graph, receiver, f"/users/{ROOM}/events")
    assert created.status_code == 201, created.text
    subscription = created.json()
    assert "clientState" in subscription and subscription["resource"] == f"/users/{ROOM}/events"
    assert len(receiver.validations) == 2  # notification URL and lifecycle URL
    assert receiver.validations[0].startswith("Validation: Testing client application reachability")
    other = _subscribe(graph, receiver, f"/users/{ROOM}/events", clientState="other-secret").json()
    tenant.control.add_event(ROOM, _event())  # an Outlook booking made in Outlook
    receiver.wait_for(2)
    assert [len(post["value"]) for post in receiver.posts] == [2]  # both subscriptions, one post
    assert {i["clientState"] for i in receiver.items()} == {"s3cret-room", "other-secret"}
    graph.delete(f"/subscriptions/{other['id']}")
    receiver.posts.clear()
    tenant.control.add_event(ROOM, _event("Outlook booking"))
    item = receiver.wait_for(1)[0]
    assert item["subscriptionId"] == subscription["id"] and item["clientState"] == "s3cret-room"
    assert item["changeType"] == "created" and item["resource"].startswith("Users/")
    assert item["resourceData"]["@odata.type"] == "#Microsoft.Graph.Event"
    read = graph.get(f"/users/{ROOM}/events/{item['resourceData']['id']}")
    assert read.json()["subject"] == "Outlook booking"  # the targeted read the notification points to
    graph.delete(f"/users/{ROOM}/events/{item['resourceData']['id']}")
    assert [i["changeType"] for i in receiver.wait_for(2)] == ["created", "deleted"]


def test_validation_failures_refuse_the_subscription(tenant, graph, receiver):
    for mode in ("wrong-token", "html"):
        receiver.mode = mode
        refused = _subscribe(graph, receiver, f"/users/{ROOM}/events")
        assert refused.status_code == 400 and error_code(refused) == "ValidationError", mode
    receiver.mode, receiver.slow_seconds = "slow", 0.6
    tenant.control.update_settings(notification_validation_timeout=0.3)
    assert _subscribe(graph, receiver, f"/users/{ROOM}/events").status_code == 400
    tenant.control.update_settings(notification_https_only=True)
    receiver.mode = "ok"
    assert "https" in _subscribe(graph, receiver, f"/users/{ROOM}/events").json()["error"]["message"]
    assert tenant.control.subscriptions() == []


def test_lifetimes_are_limited_per_resource_and_renewed_with_patch(graph, receiver):
    too_long = _subscribe(graph, receiver, f"/users/{ROOM}/events", minutes=10_090)
    assert too_long.status_code == 400 and "10080 minutes" in too_long.json()["error"]["message"]
    users = _subscribe(graph, receiver, "/users", minutes=41_000, changeType="updated")
    assert users.status_code == 201
    short = _subscribe(graph, receiver, f"/users/{ROOM}/events", minutes=5).json()
    raised = dt.datetime.fromisoformat(short["expirationDateTime"].replace("Z", "+00:00"))
    assert raised - dt.datetime.now(dt.timezone.utc) > dt.timedelta(minutes=44)  # at least 45 minutes
    renewed = graph.patch(f"/subscriptions/{short['id']}", json={"expirationDateTime": _in(4000)})
    assert renewed.status_code == 200 and renewed.json()["expirationDateTime"] != short["expirationDateTime"]
    assert graph.post(f"/subscriptions/{short['id']}/reauthorize").status_code == 204
    assert {s["id"] for s in graph.get("/subscriptions").json()["value"]} == {short["id"], users.json()["id"]}
    assert graph.delete(f"/subscriptions/{short['id']}").status_code == 204
    assert graph.get(f"/subscriptions/{short['id']}").status_code == 404


def test_users_and_the_sender_inbox_notify(tenant, graph, receiver):
    users = _subscribe(graph, receiver, "/users", changeType="updated").json()
    inbox = _subscribe(graph, receiver, f"/users/{SENDER}/mailFolders('inbox')/messages", changeType="created")
    assert inbox.status_code == 201, inbox.text
    user = graph.get("/users/chen.wu@auburnal.gov").json()
    graph.patch(f"/users/{user['id']}", json={"jobTitle": "Planner"})
    graph.post(
        f"/users/{SENDER}/sendMail",
        json={"message": {"subject": "Booking", "toRecipients": [{"emailAddress": {"address": "x@invalid.example"}}]}},
    )
    items = receiver.wait_for(2)
    by_subscription = {i["subscriptionId"]: i for i in items}
    assert by_subscription[users["id"]]["resource"] == f"Users/{user['id']}"
    assert by_subscription[inbox.json()["id"]]["resourceData"]["@odata.type"] == "#Microsoft.Graph.Message"


def test_faults_duplicated_delayed_dropped_and_missed(tenant, graph, receiver):
    subscription = _subscribe(graph, receiver, f"/users/{ROOM}/events").json()
    tenant.control.update_settings(notification_duplicate=True, notification_delay_seconds=0.4)
    started = time.time()
    tenant.control.add_event(ROOM, _event())
    twice = receiver.wait_for(2)
    assert time.time() - started >= 0.4 and len(twice) == 2 and twice[0]["id"] == twice[1]["id"]
    tenant.control.update_settings(
        notification_duplicate=False, notification_delay_seconds=0, notification_drop_share=1.0
    )
    tenant.control.add_event(ROOM, _event("Dropped"))
    time.sleep(0.3)
    assert len(receiver.items()) == 2 and tenant.control.notification_posts()[-1]["status"] == "dropped"
    tenant.control.update_settings(notification_drop_share=0.0)
    tenant.control.send_lifecycle(subscription["id"], "missed")
    lifecycle = receiver.wait_for(3)[-1]
    assert lifecycle["lifecycleEvent"] == "missed" and lifecycle["clientState"] == "s3cret-room"
    tenant.control.send_lifecycle(subscription["id"], "subscriptionRemoved")
    assert receiver.wait_for(4)[-1]["lifecycleEvent"] == "subscriptionRemoved"
    assert graph.get(f"/subscriptions/{subscription['id']}").status_code == 404


def test_undelivered_notifications_end_in_a_missed_lifecycle_event(tenant, graph, receiver):
    _subscribe(graph, receiver, f"/users/{ROOM}/events")
    receiver.mode = "fail"
    tenant.control.add_event(ROOM, _event())
    missed = receiver.wait_for(1)
    assert [i.get("lifecycleEvent") for i in missed] == ["missed"]
    assert [p["status"] for p in tenant.control.notification_posts()] == [500, 500, 500, 202]
