"""Provisioning a room mailbox: the address convention, the preview, refusals, and the dev tenant's places."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.facilities import provisioning
from app.facilities.naming import AddressRefused, room_address
from app.graph import places
from app.jobs.actions import load_actions
from app.microsoft import graph_client
from tests.facilities.helpers import LIBRARY_ROOM, admin, make_facility, make_space, operations, post
from tests.jobs.helpers import drain

PATTERN = "rm_{abbr}_{room}@{domain}"


def _run_provisioning_check() -> dict:
    return load_actions()["facilities.check_provisioning"].run({})


def _place(tenant, key: str) -> dict:
    return next(p for p in tenant.server.control.places() if key in (p["id"], p.get("emailAddress")))


def test_provisioning_program_room_at_the_library_creates_it_under_its_building_and_floor(app, tenant):
    tenant.server.control.remove_place(LIBRARY_ROOM)  # the seed already has it; provision it afresh
    space = make_space(make_facility())
    client = admin(app)

    preview = client.get(f"/staff/facilities/spaces/{space.id}/provision")
    assert preview.status_code == 200 and LIBRARY_ROOM in preview.get_data(as_text=True)
    assert operations() == []  # a preview changes nothing

    response = post(client, f"/staff/facilities/spaces/{space.id}/provision", {"address": LIBRARY_ROOM})
    assert response.status_code == 303
    db.session.expire_all()
    assert space.provisioning_state == "provisioning" and space.exchange_resource_mailbox == LIBRARY_ROOM
    assert [op.kind for op in operations()] == ["ensure_building_place", "ensure_floor_place", "create_room"]
    assert "Provisioning" in client.get(f"/staff/facilities/spaces/{space.id}/").get_data(as_text=True)

    drain()
    assert _run_provisioning_check()["active"] == 1
    db.session.expire_all()
    assert space.provisioning_state == "active"
    room = _place(tenant, LIBRARY_ROOM)
    floor, building = _place(tenant, room["parentId"]), None
    building = _place(tenant, floor["parentId"])
    assert room["displayName"] == "Program Room" and room["capacity"] == 80
    assert floor["displayName"] == "Floor 1" and building["displayName"] == "Auburn Public Library"
    assert space.graph_floor_place_id == floor["id"] and space.facility.graph_building_place_id == building["id"]
    assert [b for b in tenant.server.control.places() if b.get("displayName") == "Auburn Public Library"] == [building]
    assert db.session.scalar(select(AuditEntry).filter_by(action="facility_space.provision")).after["address"] == LIBRARY_ROOM


def test_a_new_facility_gets_its_building_and_floor_created_in_exchange(app, tenant):
    facility = make_facility("Auburn Senior Center", "SC", slug="senior-center")
    space = make_space(facility, "Craft Room", floor="2")
    client = admin(app)
    post(client, f"/staff/facilities/spaces/{space.id}/provision", {"address": "rm_SC_CraftRoom@auburnal.gov"},
         token_from=f"/staff/facilities/spaces/{space.id}/provision")
    drain()
    _run_provisioning_check()
    db.session.expire_all()
    room = _place(tenant, "rm_SC_CraftRoom@auburnal.gov")
    floor = _place(tenant, room["parentId"])
    building = _place(tenant, floor["parentId"])
    assert (floor["displayName"], building["displayName"]) == ("Floor 2", "Auburn Senior Center")
    assert room["building"] == "Auburn Senior Center" and space.provisioning_state == "active"
    # The mailbox exists: MyGov can write to the room's calendar at once.
    assert graph_client().get("/users/rm_SC_CraftRoom@auburnal.gov/calendar").status == 200


def test_the_space_stays_provisioning_until_graph_lists_the_room(app, tenant):
    tenant.server.control.set_places_propagation_delay(1.5)
    space = make_space(make_facility("Auburn Senior Center", "SC", slug="sc"), "Craft Room")
    provisioning.provision(space, graph_client(), "rm_SC_CraftRoom@auburnal.gov", _actor())
    drain()
    assert provisioning.check(space, graph_client()) == "provisioning"
    deadline = time.monotonic() + 10
    while provisioning.check(space, graph_client()) == "provisioning":
        assert time.monotonic() < deadline, "the room never showed in /places"
        time.sleep(0.2)
    assert space.provisioning_state == "active"


def _actor():
    from tests.factories import make_employee
    return make_employee("Fran Facilities")


def test_an_address_already_in_the_directory_is_refused_clearly_and_nothing_is_queued(app, tenant):
    space = make_space(make_facility())  # the dev tenant already has rm_LIB_ProgramRoom
    client = admin(app)
    preview = client.get(f"/staff/facilities/spaces/{space.id}/provision").get_data(as_text=True)
    assert "already taken in the directory" in preview and "Create rm_" not in preview
    response = post(client, f"/staff/facilities/spaces/{space.id}/provision", {"address": LIBRARY_ROOM},
                    token_from=f"/staff/facilities/spaces/{space.id}/")
    assert response.status_code == 422 and "already taken" in response.get_data(as_text=True)
    db.session.expire_all()
    assert operations() == [] and space.provisioning_state == "none" and space.exchange_resource_mailbox is None


def test_a_user_account_with_the_address_is_refused_too(app, tenant):
    tenant.server.control.add_user({"displayName": "Rm Confusion", "userPrincipalName": "rm_LIB_Annex@auburnal.gov"})
    space = make_space(make_facility(), "Annex")
    with pytest.raises(Exception, match="already taken in the directory by the directory account"):
        provisioning.plan(space, graph_client())


def test_an_alias_of_someone_else_is_refused(app, tenant):
    tenant.server.control.add_user({"displayName": "Library Desk", "userPrincipalName": "desk@auburnal.gov",
                                    "proxyAddresses": ["SMTP:desk@auburnal.gov", "smtp:rm_LIB_Annex@auburnal.gov"]})
    space = make_space(make_facility(), "Annex")
    with pytest.raises(Exception, match="Library Desk"):
        provisioning.plan(space, graph_client())


def test_an_address_another_space_holds_is_refused_with_a_link_to_it(app, tenant):
    facility = make_facility()
    holder = make_space(facility, "Study Room", exchange_resource_mailbox="rm_LIB_Annex@auburnal.gov",
                        provisioning_state="active")
    space = make_space(facility, "Annex")
    page = admin(app).get(f"/staff/facilities/spaces/{space.id}/provision").get_data(as_text=True)
    assert "already the mailbox of Study Room" in page and f"/staff/facilities/spaces/{holder.id}/" in page


def test_exchange_refusing_the_room_marks_the_space_failed_and_frees_the_address(app, tenant):
    space = make_space(make_facility("Auburn Senior Center", "SC", slug="sc"), "Craft Room")
    provisioning.provision(space, graph_client(), "rm_SC_CraftRoom@auburnal.gov", _actor())
    floor = next(p for p in tenant.server.control.places() if p["@odata.type"] == "#microsoft.graph.floor")
    places.create_room(graph_client(), floor["id"], "Someone else's", "rm_SC_CraftRoom@auburnal.gov")  # taken meanwhile
    drain()
    assert provisioning.check(space, graph_client()) == "failed"
    assert "already exists" in space.provisioning_error and space.exchange_resource_mailbox is None
    page = admin(app).get(f"/staff/facilities/spaces/{space.id}/").get_data(as_text=True)
    assert "Provisioning failed" in page and "Provision a room mailbox" in page


@pytest.mark.parametrize(("name", "address"), [
    ("Program Room", "rm_LIB_ProgramRoom@auburnal.gov"),
    ("  meeting   room  2 ", "rm_LIB_MeetingRoom2@auburnal.gov"),
    ("Salle de réunion – Étage 2", "rm_LIB_SalleDeReunionEtage2@auburnal.gov"),
    ("Children's Story-Time Room (A&B)", "rm_LIB_ChildrenSStoryTimeRoomAB@auburnal.gov"),
    ("Ñandú Café", "rm_LIB_NanduCafe@auburnal.gov"),
])
def test_names_with_spaces_accents_and_symbols_make_valid_addresses(name, address):
    assert room_address(PATTERN, "LIB", name, "auburnal.gov") == address


@pytest.mark.parametrize(("name", "reason"), [
    ("!!! ???", "no letters or digits"),
    ("会議室", "no letters or digits"),
    ("Community Room " * 5, "at most 64"),
])
def test_names_that_cannot_make_an_address_are_refused_with_the_reason(name, reason):
    with pytest.raises(AddressRefused, match=reason):
        room_address(PATTERN, "LIB", name, "auburnal.gov")


def test_the_pattern_is_configuration(app, tenant):
    app.config["FACILITIES_ROOM_ADDRESS_PATTERN"] = "room.{abbr}.{room}@{domain}"
    try:
        space = make_space(make_facility(), "Annex")
        assert provisioning.plan(space, graph_client()).address == "room.LIB.Annex@auburnal.gov"
    finally:
        app.config["FACILITIES_ROOM_ADDRESS_PATTERN"] = PATTERN


def test_a_symbol_only_name_is_refused_on_the_preview_screen(app, tenant):
    space = make_space(make_facility(), "???")
    page = admin(app).get(f"/staff/facilities/spaces/{space.id}/provision")
    assert page.status_code == 200 and "has no letters or digits" in page.get_data(as_text=True)


def test_only_facilities_admins_provision(app, tenant):
    from tests.factories import staff_client
    space = make_space(make_facility(), "Annex")
    editor, _ = staff_client(app, "facilities.editor", name="Eddie Editor")
    assert editor.get(f"/staff/facilities/spaces/{space.id}/provision").status_code == 403
