"""Live sync (issue 23): MyGov subscribes, Graph validates and notifies, a worker reads what changed."""
from __future__ import annotations

import logging
import time as clock
from datetime import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.graph import calendar as graph_calendar
from app.mail.models import EmailMessage
from app.microsoft import graph_client
from app.jobs.queue import get_queue
from app.subscriptions import services
from app.subscriptions.models import GraphSubscription
from tests.calendars.test_outlook_import import ROOM as OUTLOOK_ROOM
from tests.calendars.test_outlook_import import _imported, _publish, outlook_event, programs, source  # noqa: F401
from tests.factories import grant, make_employee, sign_in, staff_client
from tests.jobs.helpers import drain
from tests.reservations.helpers import make_room, next_open_day, page_text, space_url
from tests.reservations.test_exchange import _outlook_booking

ROOM = "rm_LIB_StudyRoomA@auburnal.gov"


@pytest.fixture
def live(app, devtenant_clean, live_server):
    """MyGov reachable by the dev tenant, which (unlike Graph) accepts a plain-HTTP URL here."""
    devtenant_clean.control.update_settings(notification_https_only=False)
    app.config["GRAPH_NOTIFICATION_URL"] = f"{live_server.url}/graph/notifications"
    return devtenant_clean


def _subscription(purpose: str = "room_events", target: str = ROOM.lower()) -> GraphSubscription:
    subscription = GraphSubscription(purpose=purpose, target=target, resource=f"/users/{target}/events",
                                     graph_id=f"sub-{purpose}", state_nonce=purpose[:8].ljust(32, "0"), status="active")
    db.session.add(subscription)
    db.session.commit()
    return subscription


def _item(subscription: GraphSubscription, client_state: str, **extra) -> dict:
    return {"subscriptionId": subscription.graph_id, "clientState": client_state, "changeType": "created",
            "resource": f"Users/abc/Events/AAMk{extra.pop('n', 1)}", **extra}


def test_validation_handshake_echoes_the_decoded_token_as_plain_text(client):
    token = "Validation: Testing client application reachability for subscription Request-Id: 42 <b>"
    response = client.post("/graph/notifications", query_string={"validationToken": token})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == token


def test_each_item_is_checked_on_its_own_and_forged_ones_are_dropped_and_logged(app, client, caplog, devtenant_clean):
    room, users = _subscription(), _subscription("users", "")
    devtenant_clean.control.reset_counters()
    genuine = services.client_state(room)
    body = {"value": [
        _item(room, genuine),
        _item(room, genuine),  # the same change delivered twice: one read
        _item(users, genuine, n=2),  # another subscription's secret: forged for this one
        _item(room, "guess", n=3),
        {"subscriptionId": "unknown", "clientState": genuine, "resource": "Users/x"},
    ]}
    with caplog.at_level(logging.WARNING):
        response = client.post("/graph/notifications", json=body)
    assert response.status_code == 202 and response.data == b""
    assert devtenant_clean.control.counters()["requests"] == {}  # answered without calling Graph
    assert get_queue("sync").count == 1
    dropped = [r for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 3
    assert genuine not in caplog.text and services.client_state(users) not in caplog.text
    db.session.expire_all()
    assert db.session.get(GraphSubscription, room.id).notifications == 2
    assert client.post("/graph/notifications", json={"value": [_item(room, "nope")]}).status_code == 202
    assert client.post("/graph/notifications", data="not json").status_code == 202
    assert get_queue("sync").count == 1  # a post with no valid item does nothing


def test_polling_runs_without_a_public_url_and_the_ops_screen_says_so(app, client):
    app.config["GRAPH_NOTIFICATION_URL"] = None
    assert services.ensure_subscriptions() == {"created": 0, "renewed": 0, "removed": 0, "failed": 0}
    admin = make_employee("Morgan Reyes")
    grant(admin, "platform.admin")
    sign_in(client, admin)
    text = page_text(client.get("/staff/ops/subscriptions"))
    assert "checks Microsoft 365 on a schedule" in text and "No subscriptions" in text


def test_an_outlook_booking_shows_on_the_room_page_once_graph_notifies(app, client, live):
    app.config.update(FREEBUSY_CACHE_SECONDS="600", PUBLIC_PAGE_CACHE_SECONDS="600")
    space = make_room()
    assert services.ensure_subscriptions()["created"] == 3  # the room, the sender's inbox, the directory
    kept = {s.purpose: s for s in db.session.scalars(select(GraphSubscription))}
    assert {s.status for s in kept.values()} == {"active"}
    assert {s["resource"] for s in live.control.subscriptions()} == {
        f"/users/{ROOM}/events", "/users/noreply@auburnal.gov/mailFolders('inbox')/messages", "/users"}

    day = next_open_day()
    page = f"{space_url(space)}?date={day}"
    assert "9:00 AM to 8:00 PM" in page_text(client.get(page))
    _outlook_booking(live, day, time(10), time(11))
    assert "9:00 AM to 8:00 PM" in page_text(client.get(page))  # cached for 10 minutes, without notifications
    deadline = clock.time() + 5
    while get_queue("sync").count == 0 and clock.time() < deadline:
        clock.sleep(0.05)
    drain()
    after = page_text(client.get(page))
    assert "9:00 AM to 10:00 AM" in after and "11:00 AM to 8:00 PM" in after
    db.session.expire_all()
    assert db.session.get(GraphSubscription, kept["room_events"].id).last_notification_at is not None

    removed_id = kept["room_events"].graph_id
    live.control.send_lifecycle(removed_id, "subscriptionRemoved")
    deadline = clock.time() + 5
    while get_queue("sync").count == 0 and clock.time() < deadline:
        clock.sleep(0.05)
    drain()  # subscribed again, then one catch-up read
    renewed = db.session.get(GraphSubscription, kept["room_events"].id)
    assert renewed.status == "active" and renewed.graph_id not in (None, removed_id)
    assert len(live.control.subscriptions()) == 3

    admin = make_employee("Morgan Reyes")
    grant(admin, "platform.admin")
    sign_in(client, admin)
    text = page_text(client.get("/staff/ops/subscriptions"))
    assert "tells MyGov about changes as they happen" in text
    assert "Room calendar" in text and "Staff directory" in text and "Bounced mail" in text


def test_an_outlook_change_to_a_published_event_is_flagged_to_its_publishers(app, source, live):
    created = outlook_event("Author talk")
    publisher, person = staff_client(app, "calendars.publisher", name="Cal Publisher")
    _publish(publisher, [created["id"]])
    assert services.ensure_subscriptions()["created"] == 3  # the source, the sender's inbox, the directory
    graph_calendar.update_event(graph_client(), OUTLOOK_ROOM, created["id"], {"subject": "Author talk (new time)"})
    deadline = clock.time() + 5
    while get_queue("sync").count == 0 and clock.time() < deadline:
        clock.sleep(0.05)
    drain()
    event = _imported()[0]
    assert event.outlook_pending == "changed"
    assert db.session.scalars(select(EmailMessage)).one().recipient == person.mail
