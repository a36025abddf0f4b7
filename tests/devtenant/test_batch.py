"""`$batch` (contract §10): limits, dispatch through the same handlers, dependsOn, inner 429s."""

from __future__ import annotations

from tests.devtenant.conftest import ADMIN_UPN


def _get(request_id: str, url: str, **extra) -> dict:
    return {"id": request_id, "method": "GET", "url": url, **extra}


def test_more_than_twenty_or_duplicate_ids_reject_the_whole_batch(graph):
    assert (
        graph.post(
            "/$batch", json={"requests": [_get(str(i), "/users?$top=1") for i in range(21)]}
        ).status_code
        == 400
    )
    assert (
        graph.post("/$batch", json={"requests": [_get("a", "/users"), _get("A", "/groups")]}).status_code
        == 400
    )
    body_without_type = {"id": "1", "method": "POST", "url": "/groups", "body": {"displayName": "x"}}
    assert graph.post("/$batch", json={"requests": [body_without_type]}).status_code == 400


def test_inner_requests_run_through_the_handlers_and_depends_on_gives_424(tenant, graph):
    group = graph.get("/groups?$filter=displayName eq 'mygov-employees-editor'").json()["value"][0]
    user = graph.get("/users/chen.wu@auburnal.gov").json()
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user['id']}"}
    answer = graph.post(
        "/$batch",
        json={
            "requests": [
                {
                    "id": "1",
                    "method": "POST",
                    "url": f"/groups/{group['id']}/members/$ref",
                    "headers": {"Content-Type": "application/json"},
                    "body": ref,
                },
                _get("2", f"/groups/{group['id']}/members?$select=id", dependsOn=["1"]),
                {
                    "id": "3",
                    "method": "POST",
                    "url": f"/groups/{group['id']}/members/$ref",
                    "headers": {"Content-Type": "application/json"},
                    "body": ref,
                    "dependsOn": ["2"],
                },
                _get("4", f"/users/{ADMIN_UPN}/nothing-here", dependsOn=["3"]),
                _get(
                    "5",
                    "/users?$filter=endswith(mail,'@auburnal.gov')&$count=true",
                    headers={"ConsistencyLevel": "eventual"},
                ),
            ]
        },
    )
    assert answer.status_code == 200
    by_id = {r["id"]: r for r in answer.json()["responses"]}
    assert by_id["1"]["status"] == 204
    assert user["id"] in [m["id"] for m in by_id["2"]["body"]["value"]]
    assert by_id["3"]["status"] == 400 and "already exist" in by_id["3"]["body"]["error"]["message"]
    assert by_id["4"]["status"] == 424
    assert by_id["5"]["status"] == 200 and by_id["5"]["body"]["@odata.count"] > 50


def test_throttled_inner_requests_are_inner_429s_with_their_own_retry_after(tenant, graph):
    tenant.control.set_faults(throttle_share=1.0, retry_after=7, path_prefix="/places")
    answer = graph.post(
        "/$batch",
        json={"requests": [_get("rooms", "/places/microsoft.graph.room"), _get("me", f"/users/{ADMIN_UPN}")]},
    )
    assert answer.status_code == 200
    by_id = {r["id"]: r for r in answer.json()["responses"]}
    assert by_id["rooms"]["status"] == 429 and by_id["rooms"]["headers"]["Retry-After"] == "7"
    assert by_id["me"]["status"] == 200


def test_responses_are_not_kept_in_request_order(graph):
    requests = [_get(str(i), f"/users/{ADMIN_UPN}?$select=id") for i in range(20)]
    orders = {
        tuple(r["id"] for r in graph.post("/$batch", json={"requests": requests}).json()["responses"])
        for _ in range(3)
    }
    assert orders != {tuple(str(i) for i in range(20))}
