"""The load run behind bench/load.sh (see there): gunicorn + workers + wrk, one route at a time,
with citizens submitting reservations throughout; every submission must reach Exchange.

The web and worker processes run with MYGOV_ENV=production. The configuration has no switch that
lets production use the dev tenant (and should not have one), so the dev tenant serves here under
a tenant id and an app registration of its own, as the city's tenant would: production's checks
pass because nothing is a development default, not because they are turned off.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from harness import ROOT, percentile, services
from sqlalchemy import func, select

from app.demo.services import seed_demo
from app.devtenant import DevTenantServer
from app.devtenant.state import DEFAULT_APP_ROLES, Client, TenantState
from app.extensions import db
from app.reservations.models import Reservation

BIND = os.environ.get("LOAD_BIND", "127.0.0.1:8011")
CITY = ZoneInfo("America/Chicago")
# 32 connections: several per gunicorn thread, so requests queue as they would at a busy hour.
DURATION, CONNECTIONS = os.environ.get("LOAD_DURATION", "10s"), os.environ.get("LOAD_CONNECTIONS", "32")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SPACE = "/reservations/library/study-room-a/"
BENCH_TENANT_ID = "5b2d9e4a-8c1f-4e6b-a3d7-9f0e1c2b4a68"
BENCH_CLIENT_ID = "c4e8a2f6-1b3d-4f5a-9e7c-2d6b8a0f3e15"
BENCH_CLIENT_SECRET = "load-bench-" + "s" * 32
METRICS_TOKEN = "load-bench-scrape-token"


class CityStandIn(TenantState):
    """The dev tenant under ids that are not the development defaults."""

    def __init__(self) -> None:
        super().__init__(tenant_id=BENCH_TENANT_ID)

    def clear(self) -> None:
        super().clear()
        self.clients[BENCH_CLIENT_ID] = Client(
            BENCH_CLIENT_ID, "MyGov (load bench)", BENCH_CLIENT_SECRET, set(), list(DEFAULT_APP_ROLES)
        )


def routes() -> list[tuple[str, str]]:
    """(label, path): the static-file reference first, then the public routes under test."""
    return [
        ("static file (reference)", "/static/css/mygov.css"),
        ("home page", "/"),
        ("calendar list view", "/calendars/library/"),
        ("ICS feed", "/calendars/library.ics"),
        ("availability page", SPACE),
    ]


def wrk(path: str) -> dict[str, float]:
    spread: list[str] = []
    sampler = threading.Timer(_seconds(DURATION) / 2, lambda: spread.append(_connections_per_worker()))
    sampler.start()
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", f"http://{BIND}{path}"],
                         capture_output=True, text=True, check=True).stdout
    sampler.join()

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    # "Socket errors: connect 0, read 0, write 0, timeout 12": refused, reset and >2 s requests.
    socket_errors = re.search(r"Socket errors: (.*)", out)
    socket_count = sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1))) if socket_errors else 0
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50"), "p99": ms("99"),
            "errors": int(errors.group(1)) if errors else 0, "socket_errors": socket_count,
            "socket": socket_errors.group(1) if socket_errors else "", "spread": spread[0] if spread else "?"}


def _seconds(duration: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)([smh]?)", duration).groups()
    return float(value) * {"": 1, "s": 1, "m": 60, "h": 3600}[unit]


def _connections_per_worker() -> str:
    """wrk's connections by the gunicorn worker holding them, mid-run (`ss`): how evenly they spread."""
    port = BIND.rsplit(":", 1)[1]
    out = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True).stdout
    counts = Counter(re.findall(r"pid=(\d+)", out))
    return "/".join(str(n) for n in sorted(counts.values(), reverse=True)) or "?"


@dataclass
class Bookings:
    """What the citizens saw: form and submit latency, and every answer that was not a 303."""

    accepted: list[str] = field(default_factory=list)
    form_ms: list[float] = field(default_factory=list)
    submit_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def citizens(stop: threading.Event, seen: Bookings) -> None:
    """Book one slot after another (50-minute slots on open days) until told to stop."""
    day = datetime.now(CITY).date() + timedelta(days=2)
    hour = 9
    while not stop.is_set():
        if day.isoweekday() == 7:
            day += timedelta(days=1)
            continue
        try:
            _book(day, hour, seen)
        except requests.RequestException as error:
            seen.error(type(error).__name__)
        hour += 1
        if hour == 19:
            day, hour = day + timedelta(days=1), 9
        time.sleep(0.2)


def _book(day, hour: int, seen: Bookings) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    page = requests.get(f"http://{BIND}{SPACE}", timeout=30)
    seen.form_ms.append((time.perf_counter() - started) * 1000)
    if page.status_code != 200:
        seen.error(f"form {page.status_code}")
        return
    # The session cookie is Secure in production (TLS ends at the proxy): send it back as a browser would.
    cookies = {"session": page.cookies["session"]} if "session" in page.cookies else {}
    form = {"csrf_token": TOKEN.search(page.text).group(1), "date": day.isoformat(),
            "start_time": f"{hour:02d}:00", "end_time": f"{hour:02d}:50", "requester_name": "Load Citizen",
            "requester_email": "load@example.org", "requester_phone": "", "purpose": "Load test",
            "attendees": "3"}
    started = time.perf_counter()
    answer = requests.post(f"http://{BIND}{SPACE}", data=form, cookies=cookies, allow_redirects=False, timeout=30)
    seen.submit_ms.append((time.perf_counter() - started) * 1000)
    if answer.status_code == 303:
        seen.accepted.append(f"{day}T{hour}")
    else:
        seen.error(f"submit {answer.status_code}")


def _wait_until_serving(log: str) -> None:
    for _ in range(120):
        try:
            if requests.get(f"http://{BIND}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on {BIND}; its log: {log}")


def _in_exchange(running, expected: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(reservations in the database, of which have their Exchange event), waiting up to a minute."""
    with running.app.app_context():
        deadline = time.monotonic() + 60
        while True:
            db.session.rollback()
            total = db.session.scalar(select(func.count()).select_from(Reservation))
            reached = db.session.scalar(select(func.count()).select_from(Reservation)
                                        .where(Reservation.exchange_event_id.is_not(None)))
            if reached >= max(total, expected) or time.monotonic() > deadline:
                return total, reached
            time.sleep(0.5)


def _scraped_graph_calls() -> str:
    body = requests.get(f"http://{BIND}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
                        timeout=10).text
    calls = re.findall(r'^mygov_graph_calls_total\{method="(\w+)",status="(\d+)"\} ([\d.]+)$', body, re.M)
    return ", ".join(f"{method} {status}: {float(n):.0f}" for method, status, n in calls) or "none"


def main() -> None:
    load_before = os.getloadavg()[0]
    tenant = DevTenantServer(port=0, cert_dir=Path(tempfile.mkdtemp()), state=CityStandIn())
    production = {"MYGOV_ENV": "production", "ENTRA_CLIENT_ID": BENCH_CLIENT_ID,
                  "ENTRA_CLIENT_SECRET": BENCH_CLIENT_SECRET, "RATELIMIT_ENABLED": "false",
                  "METRICS_TOKEN": METRICS_TOKEN, "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(),
                  "MYGOV_BIND": BIND, "PUBLIC_BASE_URL": f"http://{BIND}"}
    try:
        with services(RATELIMIT_ENABLED=False, tenant=tenant, ENTRA_CLIENT_ID=BENCH_CLIENT_ID,
                      ENTRA_CLIENT_SECRET=BENCH_CLIENT_SECRET) as running:
            with running.app.app_context():
                seed_demo(running.tenant.tenant_id, "America/Chicago")
            running.environment = {**running.environment, **production}
            web_log = tempfile.NamedTemporaryFile("w", prefix="mygov-load-web-", suffix=".log", delete=False)
            web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
                                   cwd=ROOT, env=running.environment, stdout=subprocess.DEVNULL, stderr=web_log)
            running.start_workers(2)
            try:
                _wait_until_serving(web_log.name)
                stop, seen = threading.Event(), Bookings()
                booking = threading.Thread(target=citizens, args=(stop, seen), daemon=True)
                booking.start()
                results = [(label, path, wrk(path)) for label, path in routes()]
                stop.set()
                booking.join(60)
                total, reached = _in_exchange(running, len(seen.accepted))
                graph_calls = _scraped_graph_calls()
            finally:
                web.terminate()
                web.wait(20)
    finally:
        tenant.stop()
    _report(results, seen, total, reached, graph_calls, (load_before, os.getloadavg()[0]))


def _report(results, seen: Bookings, total: int, reached: int, graph_calls: str,  # type: ignore[no-untyped-def]
            load: tuple[float, float]) -> None:
    print(f"gunicorn ({os.cpu_count()} cores), MYGOV_ENV=production, wrk {CONNECTIONS} connections x {DURATION} "
          "per route, PostgreSQL + Redis + 2 workers")
    print(f"machine load average (1 min) before the run {load[0]:.1f}, after {load[1]:.1f}: "
          "other work on the machine shares the cores")
    print(f"{'route':28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}  {'conns/worker':>12}")
    for label, path, r in results:
        print(f"{label:28}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors'] + r['socket_errors']:>8}"
              f"  {r['spread']:>12}  {path} {r['socket']}")
    booking_errors = sum(seen.errors.values())
    for label, timings in (("booking form (GET)", seen.form_ms), ("booking submit (POST)", seen.submit_ms)):
        if timings:
            print(f"{label:28}{'':>9}{percentile(timings, 0.5):>9.1f}{percentile(timings, 0.99):>9.1f}"
                  f"{'':>8}  {len(timings)} requests, one citizen at a time")
    print(f"reservations: {len(seen.accepted)} answered 303; answered otherwise: {seen.errors or 'none'}; "
          f"in the database {total}, with their Exchange event {reached}")
    print(f"Graph calls by status on /metrics (all processes): {graph_calls}")
    pages = [r for label, _, r in results if "reference" not in label]
    met = (all(r["rps"] >= 300 and r["p99"] < 200 and r["errors"] == 0 and r["socket_errors"] == 0 for r in pages)
           and booking_errors == 0 and reached == total == len(seen.accepted) > 0)
    verdict = "met" if met else "NOT met"
    print("targets (>= 300 req/s, p99 < 200 ms, no error responses or socket errors, every booking 303 and in "
          f"Exchange): {verdict}")


if __name__ == "__main__":
    main()
