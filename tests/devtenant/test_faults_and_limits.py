"""Injected faults reject before any effect; Outlook's 4-concurrent-requests-per-mailbox limit."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.devtenant.conftest import ROOM, error_code

EVENT = {
    "subject": "Held",
    "start": {"dateTime": "2031-05-05T10:00:00", "timeZone": "UTC"},
    "end": {"dateTime": "2031-05-05T11:00:00", "timeZone": "UTC"},
}


def test_throttled_request_has_no_side_effect_and_count_limits_the_fault(tenant, graph):
    before = len(tenant.control.events(ROOM))
    tenant.control.set_faults(throttle_share=1.0, retry_after=3, status=429, count=1)
    throttled = graph.post(f"/users/{ROOM}/events", json=EVENT)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert len(tenant.control.events(ROOM)) == before
    assert tenant.control.faults() is None
    assert graph.post(f"/users/{ROOM}/events", json=EVENT).status_code == 201
    counters = tenant.control.counters()
    assert counters["throttled"] == 1 and counters["requests"]["POST /v1.0/users/<user_key>/events"] == 2


def test_share_503_and_path_prefix(tenant, graph):
    tenant.control.set_faults(throttle_share=0.5, status=503, retry_after=2, path_prefix="/users")
    statuses = [graph.get("/users?$top=1").status_code for _ in range(6)]
    assert statuses.count(503) == 3 and statuses.count(200) == 3
    assert graph.get("/groups?$top=1").status_code == 200


@pytest.mark.parametrize("status, code", [(429, "TooManyRequests"), (503, "serviceNotAvailable")])
def test_a_fault_can_leave_out_retry_after_as_graph_may(tenant, graph, status, code):
    tenant.control.set_faults(throttle_share=1.0, retry_after=None, status=status, count=1)
    refused = graph.get("/users?$top=1")
    assert refused.status_code == status and error_code(refused) == code
    assert "Retry-After" not in refused.headers
    assert graph.get("/users?$top=1").status_code == 200


@pytest.mark.parametrize("bad", [
    {"retry_after": -1}, {"retry_after": "soon"}, {"retry_after": 1.5}, {"throttle_share": "half"},
    {"throttle_share": 2}, {"status": "429"}, {"status": 500}, {"latency_ms": -5}, {"count": 0},
    {"applied": "yes"}, {"path_prefix": 7},
])
def test_a_bad_fault_is_refused_with_a_clear_message_and_changes_nothing(tenant, bad):
    tenant.control.set_faults(throttle_share=0.5, retry_after=2)
    with pytest.raises(requests.HTTPError) as refused:
        tenant.control._call("PUT", "/faults", {"throttle_share": 1.0, **bad})
    assert refused.value.response.status_code == 400
    assert f"{next(iter(bad))} (" in refused.value.response.json()["error"]
    assert tenant.control.faults()["retry_after"] == 2 and tenant.control.faults()["throttle_share"] == 0.5


def test_fifth_concurrent_request_on_one_mailbox_is_throttled(tenant, graph):
    tenant.control.set_faults(throttle_share=0.0, latency_ms=1500, path_prefix=f"/users/{ROOM}/calendarView")
    now = dt.datetime.now(dt.timezone.utc)
    url = f"/users/{ROOM}/calendarView?startDateTime={now:%Y-%m-%dT%H:%M:%SZ}&endDateTime={now + dt.timedelta(days=7):%Y-%m-%dT%H:%M:%SZ}"
    with ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(pool.map(lambda _: graph.get(url), range(5)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 200, 429]
    throttled = next(r for r in responses if r.status_code == 429)
    assert error_code(throttled) == "ApplicationThrottled" and throttled.headers["Retry-After"]
    assert graph.get(url).status_code == 200  # slots are released afterwards


def test_an_applied_fault_takes_effect_and_still_answers_with_the_error(tenant, graph):
    before = len(tenant.control.events(ROOM))
    tenant.control.set_faults(throttle_share=1.0, status=504, count=1, applied=True, path_prefix=f"/users/{ROOM}/events")
    timed_out = graph.post(f"/users/{ROOM}/events", json={**EVENT, "transactionId": "applied-1"})
    assert timed_out.status_code == 504 and error_code(timed_out) == "GatewayTimeout"
    held = [e for e in tenant.control.events(ROOM) if e.get("transactionId") == "applied-1"]
    assert len(tenant.control.events(ROOM)) == before + 1 and len(held) == 1


def test_transaction_id_deduplication_can_be_switched_off_as_its_window_is_undocumented(tenant, graph):
    body = {**EVENT, "transactionId": "window-1"}
    first = graph.post(f"/users/{ROOM}/events", json=body).json()
    assert graph.post(f"/users/{ROOM}/events", json=body).json()["id"] == first["id"]
    tenant.control.update_settings(transaction_id_dedupe=False)
    try:
        again = graph.post(f"/users/{ROOM}/events", json=body).json()
    finally:
        tenant.control.update_settings(transaction_id_dedupe=True)
    assert again["id"] != first["id"]
    assert len([e for e in tenant.control.events(ROOM) if e.get("transactionId") == "window-1"]) == 2
