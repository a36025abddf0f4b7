"""The transport against the dev tenant: Retry-After honoured and capped (else exponential backoff),
503/504 retried, request ids."""
from __future__ import annotations

import uuid

import pytest
import requests

from app.graph import GraphClient, GraphNotFound, GraphSettings, TransportHooks, users
from app.graph.collections import BatchRequest
from app.graph.errors import GraphThrottled, parse_error

JITTER = 0.1  # the transport adds up to 10% + 50 ms so that throttled callers do not return in lockstep


class Recorder:
    """The waits the transport announces (instead of sleeping them), the headers it sent, the answers."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.sent: list[dict[str, str]] = []
        self.answers: list[requests.Response] = []

    def client(self, tenant, **overrides) -> GraphClient:
        graph = GraphClient(
            GraphSettings.from_mapping(tenant.graph_config, **overrides),
            TransportHooks(on_throttle_wait=self.waits.append),
        )
        graph.transport.sleep = lambda seconds: None  # the wait is observed above, not spent
        graph.transport.session.hooks["response"].append(self._record)
        return graph

    def _record(self, response, *args, **kwargs) -> None:
        self.sent.append(dict(response.request.headers))
        self.answers.append(response)


def _within_jitter(wait: float, base: float) -> bool:
    return base <= wait <= base * (1 + JITTER) + 0.05


def test_retry_after_is_honoured(tenant):
    recorder = Recorder()
    graph = recorder.client(tenant)
    someone = tenant.any_user()
    tenant.throttle(share=1.0, retry_after=7, count=2)
    assert users.get_user(graph, someone["id"])["id"] == someone["id"]
    assert tenant.throttled_count() == 2
    assert len(recorder.waits) == 2 and all(_within_jitter(w, 7) for w in recorder.waits), recorder.waits


def test_a_long_retry_after_is_capped(tenant):
    recorder = Recorder()
    graph = recorder.client(tenant, max_retry_wait_seconds=3)
    tenant.throttle(share=1.0, retry_after=3600, count=1)
    assert users.get_user(graph, tenant.any_user()["id"])
    assert len(recorder.waits) == 1 and _within_jitter(recorder.waits[0], 3), recorder.waits


@pytest.mark.parametrize("status", [429, 503])
def test_without_retry_after_the_wait_doubles_up_to_the_cap(tenant, status):
    recorder = Recorder()
    graph = recorder.client(tenant, max_retry_wait_seconds=3)
    someone = tenant.any_user()
    tenant.throttle(share=1.0, retry_after=None, status=status, count=4)
    assert users.get_user(graph, someone["id"])["id"] == someone["id"]
    assert [a.status_code for a in recorder.answers] == [status] * 4 + [200]
    assert not any("Retry-After" in a.headers for a in recorder.answers)
    bases = [1, 2, 3, 3]  # 2 ** (attempt - 1) seconds, capped by max_retry_wait_seconds
    assert len(recorder.waits) == 4, recorder.waits
    assert all(_within_jitter(wait, base) for wait, base in zip(recorder.waits, bases)), recorder.waits


@pytest.mark.parametrize("status", [503, 504])
def test_service_unavailable_and_gateway_timeout_are_retried(tenant, status):
    recorder = Recorder()
    graph = recorder.client(tenant)
    tenant.throttle(share=1.0, retry_after=2, status=status, count=2)
    assert users.get_user(graph, tenant.any_user()["id"])
    assert tenant.throttled_count() == 2
    assert graph.request_count == 3 and len(recorder.waits) == 2


def test_a_create_is_not_sent_again_by_the_transport_after_a_gateway_timeout(tenant):
    """A 504 may come after the work was done: the caller must look before sending again."""
    recorder = Recorder()
    graph = recorder.client(tenant)
    tenant.throttle(share=1.0, retry_after=0, status=504, count=1)
    with pytest.raises(GraphThrottled):
        graph.post("/groups", json={"displayName": "Parks volunteers", "mailEnabled": False,
                                    "mailNickname": "parks-volunteers", "securityEnabled": True})
    assert graph.request_count == 1 and recorder.waits == []


def test_retries_stop_at_max_attempts_with_a_typed_error(tenant):
    recorder = Recorder()
    graph = recorder.client(tenant, max_attempts=3)
    tenant.throttle(share=1.0, retry_after=1, status=503)
    with pytest.raises(GraphThrottled) as refused:
        users.get_user(graph, tenant.any_user()["id"])
    assert refused.value.status == 503 and refused.value.code == "serviceNotAvailable"
    assert refused.value.retry_after == 1 and refused.value.request_id
    assert graph.request_count == 3 and len(recorder.waits) == 2


def test_every_call_sends_a_client_request_id_that_the_typed_error_keeps(tenant):
    recorder = Recorder()
    graph = recorder.client(tenant)
    tenant.throttle(share=1.0, retry_after=0, count=1)
    users.get_user(graph, tenant.any_user()["id"])  # one 429, then the answer
    next(iter(users.list_users(graph, top=10)))  # one page
    with pytest.raises(GraphNotFound) as missing:
        graph.get(f"/users/{uuid.uuid4()}")

    ids = [headers.get("client-request-id") for headers in recorder.sent]
    assert len(ids) == graph.request_count and all(ids)
    assert all(uuid.UUID(value) for value in ids)
    assert ids[0] == ids[1]  # a retry is the same call: Microsoft support can follow it
    assert len(set(ids[1:])) == len(ids) - 1  # every other call has its own
    assert missing.value.client_request_id == ids[-1]
    assert missing.value.request_id and missing.value.request_id != ids[-1]


def test_throttled_batch_requests_without_retry_after_back_off_round_by_round(tenant):
    recorder = Recorder()
    graph = recorder.client(tenant, max_retry_wait_seconds=10)
    someone = tenant.any_user()["id"]
    tenant.throttle(share=1.0, retry_after=None, path_prefix="/users/", count=3)  # the inner requests only
    answers = graph.batch([BatchRequest("1", "GET", f"/users/{someone}?$select=id")])
    assert answers["1"].status == 200 and answers["1"].body["id"] == someone
    assert len(recorder.waits) == 3, recorder.waits
    assert all(_within_jitter(wait, base) for wait, base in zip(recorder.waits, [1, 2, 4])), recorder.waits


def test_a_retry_after_header_is_read_whatever_the_case_of_its_name():
    assert parse_error(429, {}, {"retry-after": "7"}, None).retry_after == 7.0
    assert parse_error(429, {}, {"RETRY-AFTER": "3"}, None).retry_after == 3.0


def test_a_not_found_answer_is_not_a_warning(tenant, caplog):
    """Probes such as "is this mailbox address free" expect 404s; a warning would cry wolf."""
    import logging

    graph = Recorder().client(tenant)
    caplog.set_level(logging.INFO, logger="app.graph")
    with pytest.raises(GraphNotFound):
        graph.get("/users/nobody-here@auburnal.gov")
    assert [r for r in caplog.records if r.name == "app.graph" and r.levelno >= logging.WARNING] == []
