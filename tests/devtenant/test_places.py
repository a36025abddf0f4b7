"""`/places`: rooms, the building → floor → room hierarchy, propagation delay, updates."""

from __future__ import annotations

import time

from tests.devtenant.conftest import ROOM, app_token, error_code


def _create(graph, kind: str, **fields):
    return graph.post("/places", json={"@odata.type": f"microsoft.graph.{kind}", **fields})


def _create_beta(graph, kind: str, **fields):
    url = graph.server.graph_base_url.removesuffix("/v1.0") + "/beta/places"
    return graph.post(url, json={"@odata.type": f"microsoft.graph.{kind}", **fields})


def test_rooms_list_and_get_by_email(graph):
    rooms = graph.get("/places/microsoft.graph.room").json()["value"]
    assert len(rooms) == 6 and {r["bookingType"] for r in rooms} == {"standard"}
    room = graph.get(f"/places/{ROOM}").json()
    assert room["capacity"] == 80 and room["building"] == "Auburn Public Library"
    assert graph.get(f"/places/{room['id']}").json()["emailAddress"] == ROOM
    filtered = graph.get("/places/microsoft.graph.room?$filter=building eq 'City Hall'").json()["value"]
    assert {r["emailAddress"] for r in filtered} == {
        "rm_CH_CouncilChambers@auburnal.gov",
        "rm_CH_ConferenceRoom2B@auburnal.gov",
    }
    page = graph.get("/places/microsoft.graph.room?$top=4").json()
    assert len(page["value"]) == 4 and "$skip=4" in page["@odata.nextLink"]


def test_create_hierarchy_with_requested_email_and_propagation_delay(tenant, graph):
    tenant.control.set_places_propagation_delay(0.5)
    building = _create(graph, "building", displayName="Auburn Senior Center")
    assert building.status_code == 201
    floor = _create(graph, "floor", displayName="Floor 1", parentId=building.json()["id"], sortOrder=1).json()
    orphan = _create(graph, "room", displayName="No floor", parentId=building.json()["id"])
    assert orphan.status_code == 400
    address = "rm_SC_Craft@auburnal.gov"
    room = _create_beta(
        graph, "room", displayName="SC Craft Room", parentId=floor["id"], emailAddress=address, capacity=20
    )
    assert (
        room.status_code == 201
        and room.json()["emailAddress"] == address
        and room.json()["building"] == "Auburn Senior Center"
    )
    booked = graph.post(
        f"/users/{address}/events",
        json={
            "subject": "Quilting",
            "start": {"dateTime": "2030-01-02T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2030-01-02T11:00:00", "timeZone": "UTC"},
        },
    )
    assert booked.status_code == 201  # the mailbox exists at once
    assert address not in [
        r["emailAddress"] for r in graph.get("/places/microsoft.graph.room").json()["value"]
    ]
    assert graph.get(f"/places/{address}").status_code == 404
    deadline = time.monotonic() + 10
    while graph.get(f"/places/{address}").status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert address in [r["emailAddress"] for r in graph.get("/places/microsoft.graph.room").json()["value"]]
    duplicate = _create_beta(graph, "room", displayName="Again", parentId=floor["id"], emailAddress=address)
    assert duplicate.status_code == 409


def test_v1_generates_the_room_address_whatever_the_body_asks(graph):
    """Contract §7.3: only beta takes a requested emailAddress; v1.0 makes up alias + digits."""
    floor = next(p for p in graph.server.control.places() if p["@odata.type"] == "#microsoft.graph.floor")
    room = _create(graph, "room", displayName="Conf Room 5", parentId=floor["id"],
                   emailAddress="rm_LIB_Conf5@auburnal.gov").json()
    assert room["emailAddress"] != "rm_LIB_Conf5@auburnal.gov" and room["emailAddress"].startswith("ConfRoom5")


def test_beta_refuses_an_address_outside_the_tenant_domains(graph):
    floor = next(p for p in graph.server.control.places() if p["@odata.type"] == "#microsoft.graph.floor")
    refused = _create_beta(graph, "room", displayName="X", parentId=floor["id"], emailAddress="rm_x@example.org")
    assert refused.status_code == 400 and "accepted domain" in refused.json()["error"]["message"]


def test_removing_a_room_removes_its_mailbox(graph):
    graph.server.control.remove_place(ROOM)
    assert graph.get(f"/places/{ROOM}").status_code == 404
    assert graph.get(f"/users/{ROOM}/calendar").status_code == 404


def test_generated_email_when_none_is_requested(graph):
    floor = next(p for p in graph.server.control.places() if p["@odata.type"] == "#microsoft.graph.floor")
    room = _create(graph, "room", displayName="Conf Room 4", parentId=floor["id"]).json()
    assert room["emailAddress"].startswith("ConfRoom4") and room["emailAddress"].endswith("@auburnal.gov")


def test_patch_updates_writable_fields_only(graph):
    updated = graph.patch(
        f"/places/{ROOM}", json={"@odata.type": "microsoft.graph.room", "capacity": 75, "tags": ["projector"]}
    )
    assert updated.status_code == 200 and updated.json()["capacity"] == 75
    assert graph.get(f"/places/{ROOM}").json()["tags"] == ["projector"]
    for field, value in (
        ("emailAddress", "x@auburnal.gov"),
        ("bookingType", "reserved"),
        ("id", "x"),
        ("placeId", "x"),
    ):
        refused = graph.patch(f"/places/{ROOM}", json={"@odata.type": "microsoft.graph.room", field: value})
        assert refused.status_code == 400, field
    assert (
        error_code(graph.patch("/places/nowhere@auburnal.gov", json={"@odata.type": "microsoft.graph.room"}))
        == "ErrorItemNotFound"
    )


def test_beta_needs_an_app_token_with_place_write(tenant, graph):
    from tests.devtenant.conftest import Graph
    floor = next(p for p in tenant.control.places() if p["@odata.type"] == "#microsoft.graph.floor")
    anonymous = _create_beta(Graph(tenant, None), "room", displayName="X", parentId=floor["id"],
                             emailAddress="rm_LIB_X@auburnal.gov")
    assert anonymous.status_code == 401
    tenant.control.set_app_roles(["Place.Read.All"])
    reader = _create_beta(Graph(tenant, app_token(tenant)), "room", displayName="X", parentId=floor["id"],
                          emailAddress="rm_LIB_X@auburnal.gov")
    assert reader.status_code == 403 and "request-id" in reader.headers
