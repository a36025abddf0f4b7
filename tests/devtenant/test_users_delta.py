"""`/users/delta`: paged full sync, then only the changes since, `@removed`, token expiry."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.devtenant.conftest import ADMIN_UPN, error_code

SELECT = "id,displayName,mail,accountEnabled"


def _round(graph, url: str) -> tuple[list[dict], str, int]:
    items: list[dict] = []
    pages = 0
    while True:
        body = graph.get(url).json()
        pages += 1
        items += body["value"]
        assert not ("@odata.nextLink" in body and "@odata.deltaLink" in body)
        if "@odata.deltaLink" in body:
            return items, body["@odata.deltaLink"], pages
        url = body["@odata.nextLink"]
        assert "$select" not in parse_qs(urlsplit(url).query)  # carried inside the opaque token


def test_full_sync_then_only_changes_with_removed_annotations(tenant, graph):
    tenant.control.update_settings(delta_page_size=25)
    users, delta_link, pages = _round(graph, f"/users/delta?$select={SELECT}")
    assert pages == 3 and len(users) == len(tenant.tenant.state.users)
    assert set(users[0]) == set(SELECT.split(","))

    admin = tenant.control.user(ADMIN_UPN)
    tenant.control.update_user(admin["id"], displayName="Morgan Reyes-Ortiz")
    disabled = tenant.control.update_user("chen.wu@auburnal.gov", accountEnabled=False)
    untracked = tenant.control.update_user("jordan.lee@auburnal.gov", jobTitle="Planner III")  # not selected
    soft = tenant.control.user("jamal.whitaker@auburnal.gov")
    tenant.control.remove_user(soft["id"])
    hard = tenant.control.user("amber.lyles@auburnal.gov")
    tenant.control.remove_user(hard["id"], permanent=True)
    added = tenant.control.add_user({"userPrincipalName": "new.hire@auburnal.gov", "displayName": "New Hire"})

    changes, next_delta, _ = _round(graph, delta_link)
    by_id = {item["id"]: item for item in changes}
    assert set(by_id) == {admin["id"], disabled["id"], soft["id"], hard["id"], added["id"]}
    assert untracked["id"] not in by_id
    assert by_id[admin["id"]]["displayName"] == "Morgan Reyes-Ortiz"
    assert by_id[disabled["id"]]["accountEnabled"] is False
    assert by_id[soft["id"]]["@removed"] == {"reason": "changed"}
    assert by_id[hard["id"]]["@removed"] == {"reason": "deleted"}

    quiet, _, _ = _round(graph, next_delta)
    assert quiet == []


def test_deltatoken_latest_returns_only_a_delta_link(graph):
    body = graph.get("/users/delta?$deltatoken=latest").json()
    assert body["value"] == [] and "@odata.deltaLink" in body and "@odata.nextLink" not in body


def test_expired_tokens_say_sync_state_not_found_or_gone(tenant, graph):
    _, delta_link, _ = _round(graph, f"/users/delta?$select={SELECT}")
    tenant.control.expire_delta_tokens()
    expired = graph.get(delta_link)
    assert expired.status_code == 400 and error_code(expired) == "syncStateNotFound"

    _, delta_link, _ = _round(graph, "/users/delta")
    tenant.control.expire_delta_tokens(mode="gone")
    gone = graph.get(delta_link)
    assert gone.status_code == 410 and gone.headers["Location"].startswith(
        f"{tenant.graph_base_url}/users/delta"
    )


def test_delta_filter_by_ids(tenant, graph):
    admin = tenant.control.user(ADMIN_UPN)
    users, _, _ = _round(graph, f"/users/delta?$filter=id eq '{admin['id']}'")
    assert [u["id"] for u in users] == [admin["id"]]
    assert graph.get("/users/delta?$filter=startswith(displayName,'M')").status_code == 400


def _pages(graph, url: str) -> list[dict]:
    bodies = []
    while url:
        bodies.append(graph.get(url).json())
        url = bodies[-1].get("@odata.nextLink")
    return bodies


def test_empty_pages_that_still_carry_a_next_link_can_be_switched_on(tenant, graph):
    tenant.control.update_settings(delta_page_size=25)
    plain = _pages(graph, f"/users/delta?$select={SELECT}")
    tenant.control.update_settings(delta_empty_pages=True)
    padded = _pages(graph, f"/users/delta?$select={SELECT}")

    assert [len(p["value"]) for p in padded] == [n for p in plain for n in (0, len(p["value"]))]
    empty = [p for p in padded if not p["value"]]
    assert len(empty) == len(plain) and all("@odata.nextLink" in p and "@odata.deltaLink" not in p for p in empty)
    assert [u["id"] for p in padded for u in p["value"]] == [u["id"] for p in plain for u in p["value"]]
    assert "@odata.deltaLink" in padded[-1] and padded[-1]["value"]

    renamed = tenant.control.update_user(ADMIN_UPN, displayName="Morgan Reyes-Ortiz")
    changes = _pages(graph, padded[-1]["@odata.deltaLink"])
    assert [len(p["value"]) for p in changes] == [0, 1]  # even a short round starts with an empty page
    assert changes[1]["value"][0]["id"] == renamed["id"] and "@odata.deltaLink" in changes[1]

    tenant.control.reset()
    assert tenant.control.settings()["delta_empty_pages"] is False
