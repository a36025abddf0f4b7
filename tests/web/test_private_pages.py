"""Staff pages are never cached; citizens' manage tokens never reach an access log."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.factories import staff_client

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "eyJtYW5hZ2UiOiJzZWNyZXQifQ.Zx9.k3Y-SECRETSIGNATURE"
TINY_APP = "def app(environ, start_response):\n    start_response('200 OK', [])\n    return [b'ok']\n"


def test_staff_pages_and_a_citizens_booking_are_no_store_public_pages_are_not(app, client):
    staff, _ = staff_client(app, "platform.admin")
    for path in ("/staff/", "/staff/access/"):
        response = staff.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", path
    assert client.get(f"/reservations/manage/{TOKEN}").headers["Cache-Control"] == "no-store"
    assert client.get("/staff/").headers["Cache-Control"] == "no-store"  # the redirect to sign-in too
    assert "no-store" not in client.get("/accessibility").headers.get("Cache-Control", "")


def test_the_development_servers_access_log_redacts_manage_tokens(app, live_server, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    requests.get(f"{live_server.url}/reservations/manage/{TOKEN}/received", timeout=10,
                 headers={"Referer": f"{live_server.url}/reservations/manage/{TOKEN}"})
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("/reservations/manage/[redacted]/received" in line for line in lines), lines
    assert not any("SECRETSIGNATURE" in line for line in lines)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorns_access_log_redacts_manage_tokens(tmp_path):
    (tmp_path / "tiny.py").write_text(TINY_APP)
    port = _free_port()
    env = {**os.environ, "MYGOV_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1",
           "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
         "--access-logformat", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s', "tiny:app"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/reservations/manage/{TOKEN}", timeout=2,
                             headers={"Referer": f"https://mygov.example/reservations/manage/{TOKEN}/cancel"})
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and gunicorn.poll() is None, "gunicorn did not start"
                time.sleep(0.2)
    finally:
        gunicorn.terminate()
        output, _ = gunicorn.communicate(timeout=30)
    access = [line for line in output.splitlines() if "/reservations/manage/" in line]
    assert access and "GET /reservations/manage/[redacted] HTTP/1.1" in access[0], output
    assert "/reservations/manage/[redacted]/cancel" in access[0]
    assert "SECRETSIGNATURE" not in output
