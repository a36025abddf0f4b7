"""Groups and membership, with Graph's answers the outbox treats as "already done" (contract §4)."""

from __future__ import annotations

from tests.devtenant.conftest import ADMIN_UPN, OVERAGE_UPN, Graph, app_token, error_code

ALREADY = (
    "One or more added object references already exist for the following modified properties: 'members'."
)


def _group(graph, name: str) -> dict:
    return graph.get(f"/groups?$filter=displayName eq '{name}'").json()["value"][0]


def _ref(graph, user_id: str) -> dict:
    return {"@odata.id": f"{graph.server.graph_base_url}/directoryObjects/{user_id}"}


def test_list_mygov_groups_by_prefix(graph):
    names = [
        g["displayName"]
        for g in graph.get("/groups?$filter=startswith(displayName,'mygov-')&$select=id,displayName").json()[
            "value"
        ]
    ]
    assert len(names) == 9 and "mygov-platform-admin" in names


def test_create_security_group_validates_and_binds_members(graph):
    admin = graph.get(f"/users/{ADMIN_UPN}").json()
    missing = graph.post(
        "/groups", json={"displayName": "MyGov-Parks-Editors", "mailEnabled": False, "securityEnabled": True}
    )
    assert missing.status_code == 400 and "mailNickname" in missing.json()["error"]["message"]
    bad_nickname = graph.post(
        "/groups",
        json={"displayName": "x", "mailEnabled": False, "securityEnabled": True, "mailNickname": "has space"},
    )
    assert bad_nickname.status_code == 400 and error_code(bad_nickname) == "Request_BadRequest"
    created = graph.post(
        "/groups",
        json={
            "displayName": "mygov-parks-editor",
            "mailEnabled": False,
            "mailNickname": "mygov-parks-editor",
            "securityEnabled": True,
            "owners@odata.bind": [f"https://graph.microsoft.com/v1.0/users/{admin['id']}"],
            "members@odata.bind": [f"https://graph.microsoft.com/v1.0/users/{admin['id']}"],
        },
    )
    assert created.status_code == 201 and created.json()["securityEnabled"] is True
    assert graph.server.control.group_members(created.json()["id"]) == [admin["id"]]


def test_adding_an_existing_member_is_400_with_the_telltale_message(graph):
    group = _group(graph, "mygov-calendars-editor")
    user = graph.get("/users/chen.wu@auburnal.gov").json()
    assert graph.post(f"/groups/{group['id']}/members/$ref", json=_ref(graph, user["id"])).status_code == 204
    again = graph.post(f"/groups/{group['id']}/members/$ref", json=_ref(graph, user["id"]))
    assert (
        again.status_code == 400
        and error_code(again) == "Request_BadRequest"
        and again.json()["error"]["message"] == ALREADY
    )
    assert user["id"] in graph.server.control.group_members(group["id"])


def test_removing_a_non_member_is_404_naming_the_group(graph):
    group = _group(graph, "mygov-calendars-editor")
    user = graph.get("/users/chen.wu@auburnal.gov").json()
    response = graph.delete(f"/groups/{group['id']}/members/{user['id']}/$ref")
    assert response.status_code == 404 and error_code(response) == "Request_ResourceNotFound"
    assert group["id"] in response.json()["error"]["message"]
    member = graph.get("/users/rosa.delgado@auburnal.gov").json()
    assert graph.delete(f"/groups/{group['id']}/members/{member['id']}/$ref").status_code == 204
    assert member["id"] not in graph.server.control.group_members(group["id"])


def test_delete_member_without_ref_deletes_the_user(tenant, graph):
    group = _group(graph, "mygov-calendars-editor")
    member = graph.get("/users/hannah.lowery@auburnal.gov").json()
    tenant.control.set_app_roles(["Group.ReadWrite.All", "User.Read.All"])
    limited = Graph(tenant, app_token(tenant)).delete(f"/groups/{group['id']}/members/{member['id']}")
    assert limited.status_code == 403 and graph.get(f"/users/{member['id']}").status_code == 200
    assert (
        graph.delete(f"/groups/{group['id']}/members/{member['id']}").status_code == 204
    )  # default roles: User.ReadWrite.All
    gone = graph.get(f"/users/{member['id']}")
    assert gone.status_code == 404 and error_code(gone) == "Request_ResourceNotFound"


def test_membership_functions_for_the_overage_user(graph):
    user = graph.get(f"/users/{OVERAGE_UPN}").json()
    objects = graph.post(f"/users/{user['id']}/getMemberObjects", json={"securityEnabledOnly": True}).json()[
        "value"
    ]
    assert len(objects) > 200
    publisher = _group(graph, "mygov-calendars-publisher")
    admin = _group(graph, "mygov-platform-admin")
    checked = graph.post(
        f"/users/{user['id']}/checkMemberGroups", json={"groupIds": [publisher["id"], admin["id"]]}
    ).json()["value"]
    assert checked == [publisher["id"]]
    too_many = graph.post(f"/users/{user['id']}/checkMemberGroups", json={"groupIds": objects[:21]})
    assert too_many.status_code == 400
    first_page = graph.get(f"/users/{user['id']}/memberOf").json()
    assert len(first_page["value"]) == 100 and "@odata.nextLink" in first_page
    members = graph.get(f"/groups/{admin['id']}/members").json()["value"]
    assert [(m["@odata.type"], m["userPrincipalName"]) for m in members] == [
        ("#microsoft.graph.user", ADMIN_UPN)
    ]


def test_transitive_member_of_includes_nested_groups(graph):
    admin = graph.get(f"/users/{ADMIN_UPN}").json()
    outer = graph.post(
        "/groups",
        json={
            "displayName": "mygov-outer",
            "mailEnabled": False,
            "mailNickname": "mygov-outer",
            "securityEnabled": True,
        },
    ).json()
    inner = _group(graph, "mygov-platform-admin")
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/groups/{inner['id']}"}
    assert graph.post(f"/groups/{outer['id']}/members/$ref", json=ref).status_code == 204
    direct = {g["id"] for g in graph.get(f"/users/{admin['id']}/memberOf").json()["value"]}
    transitive = {g["id"] for g in graph.get(f"/users/{admin['id']}/transitiveMemberOf").json()["value"]}
    assert outer["id"] not in direct and outer["id"] in transitive


def test_a_new_group_is_not_readable_at_once_by_default(graph):
    """Graph's directory replicates: the first read of a new group 404s (contract §4.2)."""
    body = {"displayName": "mygov-new-readers", "mailEnabled": False, "mailNickname": "mygov-new-readers",
            "securityEnabled": True}
    created = graph.post("/groups", json=body)
    group_id = created.json()["id"]
    assert created.status_code == 201
    first = graph.get(f"/groups/{group_id}")
    assert first.status_code == 404 and error_code(first) == "Request_ResourceNotFound"
    assert graph.get(f"/groups/{group_id}").json()["displayName"] == "mygov-new-readers"
