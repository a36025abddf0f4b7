"""`/users`: default properties, filters, opaque paging, advanced-query rules, photos."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.devtenant.conftest import ADMIN_UPN, error_code

EVENTUAL = {"ConsistencyLevel": "eventual"}
DEFAULT_PROPERTIES = {
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
}


def test_list_returns_the_default_property_set_unless_select(graph):
    body = graph.get("/users").json()
    assert len(body["value"]) == len(graph.server.tenant.state.users) and "@odata.nextLink" not in body
    assert set(body["value"][0]) == DEFAULT_PROPERTIES
    selected = graph.get("/users?$select=id,displayName,accountEnabled,department").json()["value"]
    assert set(selected[0]) == {"id", "displayName", "accountEnabled", "department"}


def test_paging_follows_opaque_next_links_without_skip(graph):
    seen: list[str] = []
    url = "/users?$top=25&$select=id,mail"
    pages = 0
    while url:
        body = graph.get(url).json()
        seen += [u["id"] for u in body["value"]]
        url = body.get("@odata.nextLink")
        pages += 1
        if url:
            query = parse_qs(urlsplit(url).query)
            assert "$skiptoken" in query and "$skip" not in query
    assert pages == 3 and len(seen) == len(set(seen)) == len(graph.server.tenant.state.users)
    assert graph.get("/users?$skip=10").status_code == 400
    assert graph.get("/users?$top=1000").status_code == 400


def test_basic_filters_work_without_headers(graph):
    by_mail = graph.get(f"/users?$filter=mail eq '{ADMIN_UPN}'").json()["value"]
    assert [u["displayName"] for u in by_mail] == ["Morgan Reyes"]
    starts = graph.get("/users?$filter=startswith(displayName,'Meg')").json()["value"]
    assert {u["displayName"] for u in starts} == {"Megan Crouch"}
    disabled = graph.get("/users?$filter=accountEnabled eq false&$select=id,accountEnabled").json()["value"]
    assert len(disabled) == 11 and all(u["accountEnabled"] is False for u in disabled)  # 3 staff, 8 mailboxes
    listed = graph.get(
        "/users?$filter=userPrincipalName in ('megan.crouch@auburnal.gov','chen.wu@auburnal.gov')"
    ).json()["value"]
    assert len(listed) == 2


def test_advanced_queries_need_consistency_level_eventual(graph):
    for url in (
        "/users?$filter=endswith(mail,'@auburnal.gov')&$count=true",
        "/users?$filter=accountEnabled ne true&$count=true",
        '/users?$search="displayName:megan"',
        "/users?$count=true",
    ):
        refused = graph.get(url)
        assert refused.status_code == 400 and error_code(refused) == "Request_UnsupportedQuery", url
    counted = graph.get("/users?$filter=endswith(mail,'@auburnal.gov')&$count=true", headers=EVENTUAL).json()
    assert counted["@odata.count"] == len(graph.server.tenant.state.users)
    assert (
        graph.get("/users?$filter=endswith(mail,'@auburnal.gov')", headers=EVENTUAL).status_code == 400
    )  # $count too
    found = graph.get('/users?$search="displayName:reyes"', headers=EVENTUAL).json()["value"]
    assert [u["userPrincipalName"] for u in found] == [ADMIN_UPN]


def test_get_one_user_by_id_or_upn(graph):
    by_upn = graph.get(f"/users/{ADMIN_UPN}").json()
    assert by_upn["displayName"] == "Morgan Reyes" and "accountEnabled" not in by_upn
    assert graph.get(f"/users/{by_upn['id']}?$select=jobTitle").json() == {
        "@odata.context": f"{graph.server.graph_base_url}/$metadata#users/$entity",
        "jobTitle": "IT Director",
        "id": by_upn["id"],
    }


def test_photo_bytes_metadata_and_missing_photo(graph):
    value = graph.get(f"/users/{ADMIN_UPN}/photo/$value")
    assert (
        value.status_code == 200
        and value.headers["Content-Type"] == "image/png"
        and value.content.startswith(b"\x89PNG")
    )
    metadata = graph.get(f"/users/{ADMIN_UPN}/photo").json()
    assert metadata["@odata.mediaEtag"] and metadata["@odata.mediaContentType"] == "image/png"
    missing = graph.get("/users/priya.natarajan@auburnal.gov/photo/$value")
    assert missing.status_code == 404 and error_code(missing) == "ImageNotFound"


def test_count_segment_and_no_photo_metadata(graph):
    assert graph.get("/users/$count").status_code == 400
    counted = graph.get("/users/$count", headers=EVENTUAL)
    assert counted.headers["Content-Type"].startswith("text/plain")
    assert int(counted.text) == len(graph.server.tenant.state.users)
    placeholder = graph.get("/users/priya.natarajan@auburnal.gov/photo").json()
    assert placeholder["@odata.mediaContentType"] == "image/gif" and placeholder["width"] == 1


def test_room_and_shared_mailboxes_are_listed_users_with_sign_in_disabled(graph):
    """In Entra a room or shared mailbox is a directory user: in lists and delta, not just by address."""
    wanted = "id,mail,accountEnabled,givenName,surname"
    listed = graph.get(f"/users?$select={wanted}&$filter=accountEnabled eq false").json()["value"]
    by_mail = {u["mail"].lower(): u for u in listed}
    for address in ("rm_lib_studyrooma@auburnal.gov", "citymeetings@auburnal.gov"):
        assert by_mail[address]["accountEnabled"] is False and by_mail[address]["givenName"] is None
    delta = graph.get(f"/users/delta?$select={wanted}")
    found: set[str] = set()
    while True:
        found |= {(u.get("mail") or "").lower() for u in delta.json()["value"]}
        if "@odata.nextLink" not in delta.json():
            break
        delta = graph.get(delta.json()["@odata.nextLink"])
    assert {"rm_lib_studyrooma@auburnal.gov", "citymeetings@auburnal.gov"} <= found
    one = graph.get("/users/rm_LIB_StudyRoomA@auburnal.gov?$select=id,accountEnabled").json()
    assert one["id"] == by_mail["rm_lib_studyrooma@auburnal.gov"]["id"] and one["accountEnabled"] is False
