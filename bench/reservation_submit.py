"""200 citizen reservations through HTTP with real workers.

Serves the app over HTTP (threaded WSGI server) on PostgreSQL and Redis, with two
`python worker.py --no-scheduler` processes and the dev tenant over HTTPS. Each submission is a
real GET (form + CSRF token) and POST of the booking form for a free slot. Prints p50/p95 of the
submit response time and of submit -> blocking event written in the room's Exchange calendar,
beside the bare Graph create-event call measured in the same run. Rate limiting is off for the
run (every request comes from 127.0.0.1).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/reservation_submit.py
"""
from __future__ import annotations

import re
import statistics
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from harness import percentile, services
from sqlalchemy import select
from werkzeug.serving import make_server

from app.demo.services import seed_demo
from app.extensions import db, limiter
from app.graph import calendar
from app.microsoft import graph_client
from app.reservations.models import Reservation, ReservationEvent

SUBMISSIONS, ROOM = 200, "rm_LIB_StudyRoomA@auburnal.gov"
CITY = ZoneInfo("America/Chicago")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def slots() -> list[tuple[date, int]]:
    found, day = [], datetime.now(CITY).date() + timedelta(days=2)
    while len(found) < SUBMISSIONS:
        if day.isoweekday() != 7:
            found += [(day, hour) for hour in range(9, 19)]
        day += timedelta(days=1)
    return found[:SUBMISSIONS]


def bare_calls(count: int = 50) -> list[float]:
    graph, timings = graph_client(), []
    for n in range(count):
        start = datetime.now(CITY).replace(microsecond=0) + timedelta(days=200, minutes=n)
        started = time.perf_counter()
        calendar.create_event(graph, ROOM, {"subject": f"bare {n}", "transactionId": f"bare-{n}",
                                            "start": calendar.graph_datetime(start),
                                            "end": calendar.graph_datetime(start + timedelta(minutes=30))})
        timings.append(time.perf_counter() - started)
    return timings


def book_everything(base: str) -> tuple[dict[str, float], list[float], int]:
    path = f"{base}/reservations/library/study-room-a/"
    submitted: dict[str, float] = {}
    response_times, refused = [], 0
    for day, hour in slots():
        citizen = requests.Session()
        token = TOKEN.search(citizen.get(path, timeout=30).text).group(1)
        form = {"csrf_token": token, "date": day.isoformat(), "start_time": f"{hour:02d}:00",
                "end_time": f"{hour:02d}:50", "requester_name": "Bench Citizen",
                "requester_email": "bench@example.org", "requester_phone": "", "purpose": "Study group",
                "attendees": "4"}
        started, wall_start = time.perf_counter(), time.time()
        response = citizen.post(path, data=form, allow_redirects=False, timeout=30)
        response_times.append(time.perf_counter() - started)
        if response.status_code != 303:
            refused += 1
            continue
        submitted[f"{day}T{hour}"] = wall_start
    return submitted, response_times, refused


def times_to_exchange(submitted: dict[str, float]) -> list[float]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        db.session.rollback()
        written = db.session.execute(
            select(Reservation.start_at, ReservationEvent.at)
            .join(ReservationEvent, ReservationEvent.reservation_id == Reservation.id)
            .where(ReservationEvent.kind == "event_written")
        ).all()
        if len(written) >= len(submitted):
            break
        time.sleep(0.2)
    found = []
    for start_at, at in written:
        local = start_at.astimezone(CITY)
        if f"{local.date()}T{local.hour}" in submitted:
            found.append(at.timestamp() - submitted[f"{local.date()}T{local.hour}"])
    return found


def main() -> None:
    with services(RATELIMIT_ENABLED=False) as running, running.app.app_context():
        limiter.enabled = False  # every request of the run comes from 127.0.0.1
        seed_demo(running.tenant.tenant_id, "America/Chicago")
        bare = bare_calls()
        server = make_server("127.0.0.1", 0, running.app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.start_workers(2)
        submitted, response_times, refused = book_everything(f"http://127.0.0.1:{server.server_port}")
        to_exchange = times_to_exchange(submitted)
        server.shutdown()

    print(f"{SUBMISSIONS} submissions over HTTP, 2 workers; {len(submitted)} accepted, {refused} refused, "
          f"{len(to_exchange)} events written in Exchange")
    print(f"{'':46}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'submit response (GET form excluded)':46}{statistics.median(response_times) * 1000:>10.0f}"
          f"{percentile(response_times, 0.95) * 1000:>10.0f}")
    print(f"{'submit -> blocking event in Exchange':46}{statistics.median(to_exchange) * 1000:>10.0f}"
          f"{percentile(to_exchange, 0.95) * 1000:>10.0f}")
    print(f"{'bare Graph create-event call (reference)':46}{statistics.median(bare) * 1000:>10.0f}"
          f"{percentile(bare, 0.95) * 1000:>10.0f}")


if __name__ == "__main__":
    main()
