"""/metrics adds up every process: gunicorn's web workers and the separate `worker.py` processes."""
from __future__ import annotations

import os
import re
import runpy
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
OTHER_PROCESS = """
from app import create_app
from app.microsoft import graph_client

app = create_app()
with app.app_context():
    graph_client().get("/users", params={"$top": 1})
    app.test_client().get("/accessibility")
"""


def _run_in_another_process(metrics_dir: Path, tenant, database_url: str) -> None:
    env = {**os.environ, **tenant.graph_config, "MYGOV_ENV": "test", "SECRET_KEY": "s" * 40,
           "DATABASE_URL": database_url, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "-c", OTHER_PROCESS], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def _scrape(client) -> str:
    response = client.get("/metrics", environ_overrides={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_graph_calls_throttling_waits_and_latency_from_two_other_processes_reach_metrics(
    app, client, tenant, database_url, tmp_path, monkeypatch
):
    tenant.throttle(share=0.5, retry_after=1, path_prefix="/users")  # each process: one 429, then a 200
    for _ in range(2):
        _run_in_another_process(tmp_path, tenant, database_url)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # as gunicorn's workers have it
    body = _scrape(client)
    assert 'mygov_graph_calls_total{method="GET",status="429"} 2.0' in body
    assert 'mygov_graph_calls_total{method="GET",status="200"} 2.0' in body
    waited = float(re.search(r"^mygov_graph_throttle_wait_seconds_total ([\d.]+)$", body, re.M).group(1))
    assert 2.0 <= waited < 2.5  # Retry-After: 1 in each process, plus a little jitter
    assert 'mygov_http_request_duration_seconds_count{method="GET",route="/accessibility",status="200"} 2.0' in body
    assert 'mygov_queue_depth{queue="graph"}' in body  # the live state is still there too


def test_gunicorn_forgets_the_live_gauges_of_a_web_worker_that_exited(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    gone, alive = 4242, 4343
    for pid in (gone, alive):
        (tmp_path / f"gauge_livesum_{socket.gethostname()}_{pid}.db").write_bytes(b"")
    (tmp_path / f"counter_{socket.gethostname()}_{gone}.db").write_bytes(b"")
    hooks = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    hooks["child_exit"](None, SimpleNamespace(pid=gone))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"counter_{socket.gethostname()}_{gone}.db",  # counters keep counting what the worker did
        f"gauge_livesum_{socket.gethostname()}_{alive}.db",
    ]


def test_metrics_refuse_what_a_reverse_proxy_on_this_host_forwards(app, client):
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"},
                         environ_overrides={"REMOTE_ADDR": "127.0.0.1"})
    assert proxied.status_code == 404
    forwarded = client.get("/metrics", headers={"Forwarded": "for=203.0.113.9"},
                           environ_overrides={"REMOTE_ADDR": "127.0.0.1"})
    assert forwarded.status_code == 404


def test_production_needs_the_scrape_token_even_from_loopback(app, client):
    app.config["MYGOV_ENV"] = "production"
    try:
        loopback = {"REMOTE_ADDR": "127.0.0.1"}
        assert client.get("/metrics", environ_overrides=loopback).status_code == 404
        app.config["METRICS_TOKEN"] = "scrape-secret"
        proxied = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret",
                                                  "X-Forwarded-For": "10.0.0.5"}, environ_overrides=loopback)
        assert proxied.status_code == 200
    finally:
        app.config.update(MYGOV_ENV="test", METRICS_TOKEN=None)
