"""The embedded runtime: a worker thread on the same RQ code path, and /healthz reporting it."""
from __future__ import annotations

import os
import socket
import time

from app.jobs.queue import get_queue, get_redis, start_embedded_worker
from tests.data import queued


def _wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_healthz_reports_worker_down_until_one_runs(app, client):
    down = client.get("/healthz")
    assert down.status_code == 503
    body = down.get_json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is False

    embedded = start_embedded_worker(app)
    try:
        assert _wait_for(lambda: client.get("/healthz").status_code == 200)
        assert client.get("/healthz").get_json()["status"] == "ok"
    finally:
        embedded.stop()


def test_embedded_worker_runs_queued_jobs_in_the_app_context(app):
    embedded = start_embedded_worker(app)
    try:
        get_queue("graph").enqueue(queued.remember, "written by the worker")
        assert _wait_for(lambda: get_redis().get("test:remembered") == b"written by the worker")
    finally:
        embedded.stop()


def test_healthz_reports_database_down(database_url, tmp_path):
    from tests.conftest import make_test_app

    broken = make_test_app(f"sqlite:///{tmp_path}/missing-dir/nope/db.sqlite")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["ok"] is False


def test_healthz_reports_the_queue_down_when_redis_is_unreachable(database_url):
    from tests.conftest import make_test_app

    # The rate limiter is one object per process: keep its storage where the other tests' app has it.
    broken = make_test_app(database_url, REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/9",
                           RATELIMIT_STORAGE_URI=os.environ.get("REDIS_URL") or "memory://")
    with broken.app_context():
        response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"] == {"ok": False, "error": "ConnectionError"}
    assert body["checks"]["worker"]["ok"] is False


def _closed_port() -> int:
    """A loopback port nothing listens on: bound once to pick it, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
