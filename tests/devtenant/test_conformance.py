"""Calls real Graph accepts, spelled the way Microsoft's SDKs and the CSDL spell them (issue 23).

Each of these failed against the dev tenant before: 404/400/405 where Graph answers, or answers
whose headers and `@odata.context` differ from Graph's.
"""

from __future__ import annotations

import json
import time

from tests.devtenant.conftest import ROOM, error_code
from tests.graph_conformance import RECORDER

SENDER = "noreply@auburnal.gov"
ODATA_JSON = "application/json;odata.metadata=minimal"
DAY = "2030-03-04"


def test_users_delta_with_function_call_parentheses(graph):
    plain = graph.get("/users/delta?$select=displayName")
    called = graph.get("/users/delta()?$select=displayName")
    assert called.status_code == 200, called.text
    assert {u["id"] for u in called.json()["value"]} == {u["id"] for u in plain.json()["value"]}


def test_places_cast_with_the_graph_alias_and_on_one_place(graph):
    rooms = graph.get("/places/graph.room")
    assert rooms.status_code == 200 and len(rooms.json()["value"]) == 6
    room = graph.get(f"/places/{ROOM}/graph.room")
    assert room.status_code == 200 and room.json()["emailAddress"] == ROOM
    assert graph.get(f"/places/{ROOM}/microsoft.graph.room").json()["capacity"] == 80
    assert graph.get(f"/places/{ROOM}/microsoft.graph.building").status_code == 404


def test_action_parameter_names_are_case_insensitive(tenant, graph):
    schedule = graph.post(
        f"/users/{SENDER}/calendar/getSchedule",
        json={
            "Schedules": [ROOM],
            "StartTime": {"dateTime": f"{DAY}T09:00:00", "timeZone": "UTC"},
            "EndTime": {"dateTime": f"{DAY}T10:00:00", "timeZone": "UTC"},
            "AvailabilityViewInterval": 30,
        },
    )
    assert schedule.status_code == 200, schedule.text
    assert schedule.json()["value"][0]["availabilityView"] == "00"
    sent = graph.post(
        f"/users/{SENDER}/sendMail",
        json={
            "Message": {
                "subject": "Typed",
                "body": {"contentType": "text", "content": "Hi"},
                "toRecipients": [{"emailAddress": {"address": "tasha.brewer@auburnal.gov"}}],
            },
            "SaveToSentItems": False,
        },
    )
    assert sent.status_code == 202, sent.text
    assert tenant.control.outbound_mail()[0]["delivered"] == ["tasha.brewer@auburnal.gov"]
    sent_items = graph.get(f"/users/{SENDER}/mailFolders/sentitems/messages").json()["value"]
    assert sent_items == []  # SaveToSentItems: false was read


def test_room_and_shared_mailboxes_are_directory_users(graph):
    room = graph.get(f"/users/{ROOM}")
    assert room.status_code == 200, room.text
    assert room.json()["mail"] == ROOM and room.json()["displayName"]
    shared = graph.get(f"/users/{SENDER}?$select=displayName,accountEnabled")
    assert shared.status_code == 200 and shared.json()["accountEnabled"] is False
    assert error_code(graph.get("/users/nobody@auburnal.gov")) == "Request_ResourceNotFound"


def test_patch_user_lands_in_users_delta(graph):
    user = graph.get("/users/chen.wu@auburnal.gov").json()
    round_one = graph.get("/users/delta?$select=jobTitle")
    while "@odata.nextLink" in round_one.json():
        round_one = graph.get(round_one.json()["@odata.nextLink"])
    delta_link = round_one.json()["@odata.deltaLink"]
    updated = graph.patch(f"/users/{user['id']}", json={"jobTitle": "Parks Planner"})
    assert updated.status_code == 204 and updated.content == b""
    assert graph.get(f"/users/{user['id']}?$select=jobTitle").json()["jobTitle"] == "Parks Planner"
    changes = graph.get(delta_link).json()["value"]
    assert [(c["id"], c.get("jobTitle")) for c in changes] == [(user["id"], "Parks Planner")]
    unknown = graph.patch(f"/users/{user['id']}", json={"favouriteColour": "green"})
    assert unknown.status_code == 400 and error_code(unknown) == "Request_BadRequest"


def test_delete_group_and_groups_replicate_after_a_delay(tenant, graph):
    tenant.control.update_settings(groups_replication_seconds=0.6)
    created = graph.post(
        "/groups",
        json={
            "displayName": "mygov-parks-editor",
            "mailEnabled": False,
            "mailNickname": "mygov-parks-editor",
            "securityEnabled": True,
        },
    )
    group_id = created.json()["id"]
    assert created.status_code == 201
    assert error_code(graph.get(f"/groups/{group_id}")) == "Request_ResourceNotFound"
    listed = graph.get("/groups?$filter=displayName eq 'mygov-parks-editor'").json()["value"]
    assert listed == []
    time.sleep(0.7)
    assert graph.get(f"/groups/{group_id}").status_code == 200
    deleted = graph.delete(f"/groups/{group_id}")
    assert deleted.status_code == 204 and "Content-Type" not in deleted.headers
    assert graph.get(f"/groups/{group_id}").status_code == 404


def test_content_types_and_odata_context_as_graph_sends_them(tenant, graph):
    event = graph.post(
        f"/users/{ROOM}/events",
        json={
            "subject": "Story time",
            "start": {"dateTime": f"{DAY}T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": f"{DAY}T11:00:00", "timeZone": "UTC"},
        },
    )
    assert event.headers["Content-Type"].startswith(ODATA_JSON)
    one = graph.get(f"/users/{ROOM}/events/{event.json()['id']}")
    assert one.headers["Content-Type"].startswith(ODATA_JSON)
    assert one.json()["@odata.context"].endswith("/events/$entity")
    patched = graph.patch(f"/users/{ROOM}/events/{event.json()['id']}", json={"subject": "Story hour"})
    assert patched.json()["@odata.context"].endswith("/events/$entity")
    shared = graph.post(
        f"/users/{ROOM}/calendar/calendarPermissions",
        json={"emailAddress": {"address": "chen.wu@auburnal.gov"}, "role": "read"},
    )
    assert shared.json()["@odata.context"].endswith("/calendarPermissions/$entity")
    deleted = graph.delete(f"/users/{ROOM}/events/{event.json()['id']}")
    assert deleted.status_code == 204 and "Content-Type" not in deleted.headers
    sent = graph.post(
        f"/users/{SENDER}/sendMail",
        json={"message": {"subject": "x", "toRecipients": [{"emailAddress": {"address": "a@b.example"}}]}},
    )
    assert sent.status_code == 202 and "text/html" not in sent.headers.get("Content-Type", "")
    failed = graph.get("/users/nobody@auburnal.gov")
    assert failed.headers["Content-Type"].startswith("application/json")


def test_the_suite_records_every_graph_request_and_answer(graph):
    before = len(RECORDER.exchanges)
    graph.patch("/users/chen.wu@auburnal.gov", json={"jobTitle": "Planner"})
    recorded = RECORDER.exchanges[before:]
    assert [(e.method, e.path, e.status) for e in recorded] == [("PATCH", "/v1.0/users/chen.wu@auburnal.gov", 204)]
    assert json.loads(recorded[0].request_body) == {"jobTitle": "Planner"}
