"""The load run behind bench/load.sh (see there): gunicorn + workers + wrk, one route at a time,
with citizens submitting reservations throughout; every submission must reach Exchange."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from harness import ROOT, services, wait_for
from sqlalchemy import func, select

from app.demo.services import seed_demo
from app.extensions import db
from app.reservations.models import Reservation

BIND = "127.0.0.1:8011"
CITY = ZoneInfo("America/Chicago")
DURATION, CONNECTIONS = os.environ.get("LOAD_DURATION", "10s"), os.environ.get("LOAD_CONNECTIONS", "16")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SPACE = "/reservations/library/study-room-a/"


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
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", f"http://{BIND}{path}"],
                         capture_output=True, text=True, check=True).stdout
    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50"), "p99": ms("99"),
            "errors": int(errors.group(1)) if errors else 0, "socket": socket_errors.group(1) if socket_errors else ""}


def citizens(stop: threading.Event, accepted: list[str]) -> None:
    """Book one slot after another (50-minute slots on open days) until told to stop."""
    day = datetime.now(CITY).date() + timedelta(days=2)
    hour = 9
    while not stop.is_set():
        if day.isoweekday() == 7:
            day += timedelta(days=1)
            continue
        session = requests.Session()
        token = TOKEN.search(session.get(f"http://{BIND}{SPACE}", timeout=30).text).group(1)
        form = {"csrf_token": token, "date": day.isoformat(), "start_time": f"{hour:02d}:00",
                "end_time": f"{hour:02d}:50", "requester_name": "Load Citizen", "requester_email": "load@example.org",
                "requester_phone": "", "purpose": "Load test", "attendees": "3"}
        if session.post(f"http://{BIND}{SPACE}", data=form, allow_redirects=False, timeout=30).status_code == 303:
            accepted.append(f"{day}T{hour}")
        hour += 1
        if hour == 19:
            day, hour = day + timedelta(days=1), 9
        time.sleep(0.2)


def main() -> None:
    with services(RATELIMIT_ENABLED=False) as running:
        with running.app.app_context():
            seed_demo(running.tenant.tenant_id, "America/Chicago")
        env = {**running.environment, "MYGOV_BIND": BIND, "RATELIMIT_ENABLED": "false", "MYGOV_ENV": "test"}
        web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        running.start_workers(2)
        try:
            wait_for(f"http://{BIND}/healthz")
            stop, accepted = threading.Event(), []
            booking = threading.Thread(target=citizens, args=(stop, accepted), daemon=True)
            booking.start()
            results = [(label, path, wrk(path)) for label, path in routes()]
            stop.set()
            booking.join(60)
            with running.app.app_context():
                deadline = time.monotonic() + 60
                reached = 0
                while time.monotonic() < deadline:
                    db.session.rollback()
                    reached = db.session.scalar(select(func.count()).select_from(Reservation)
                                                .where(Reservation.exchange_event_id.is_not(None)))
                    if reached >= len(accepted):
                        break
                    time.sleep(0.5)
        finally:
            web.terminate()
            web.wait(20)

    print(f"gunicorn ({os.cpu_count()} cores), wrk {CONNECTIONS} connections x {DURATION} per route, "
          "PostgreSQL + Redis + 2 workers")
    print(f"{'route':28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for label, path, r in results:
        print(f"{label:28}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}  {path} {r['socket']}")
    print(f"reservations submitted during the run: {len(accepted)}; in Exchange: {reached}")
    pages = [r for label, _, r in results if "reference" not in label]
    met = all(r["rps"] >= 300 and r["p99"] < 200 and r["errors"] == 0 for r in pages) and reached >= len(accepted)
    verdict = "met" if met else "NOT met"
    print(f"targets (>= 300 req/s, p99 < 200 ms, no errors, every reservation in Exchange): {verdict}")


if __name__ == "__main__":
    main()
