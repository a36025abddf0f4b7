"""The booking desk with 20,000 reservations: p50/p95 render of the list and grid pages beside
the cached public room page, measured in the same run.

PostgreSQL and Redis, the demo city, 20,000 reservations (every state, one year around today)
spread over one facility's rooms. Each page is requested REPEATS times over HTTP (threaded WSGI
server, a signed-in approver's session); the grid also reads each room's Outlook calendar from
the dev tenant over HTTPS, as in production.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/7 \
        .venv/bin/python bench/booking_desk.py
"""
from __future__ import annotations

import secrets
import statistics
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from harness import percentile, services
from sqlalchemy import insert, select
from werkzeug.serving import make_server

from app.access.models import RoleAssignment
from app.access.services import sync_registry
from app.auth.session import SESSION_TOKEN_KEY, open_staff_session
from app.demo.services import seed_demo
from app.extensions import db, limiter
from app.facilities.models import FacilitySpace, ReservationConfig
from app.people.models import Employee
from app.reservations.models import Reservation

RESERVATIONS, REPEATS = 20_000, 40
CITY = ZoneInfo("America/Chicago")
STATUSES = ("approved",) * 6 + ("pending", "cancelled", "denied")


def fill(spaces: list[FacilitySpace]) -> None:
    """Hourly bookings 8:00-20:00 from six months back, room after room; cancelled and denied ones
    too (they are listed, never in the grid)."""
    rows, first = [], datetime.now(CITY).date() - timedelta(days=180)
    per_room = -(-RESERVATIONS // len(spaces))
    for space in spaces:
        for n in range(per_room):
            day, hour = first + timedelta(days=n // 12), 8 + n % 12
            start = datetime(day.year, day.month, day.day, hour, tzinfo=CITY)
            rows.append({
                "reference": "B-" + secrets.token_hex(6).upper()[:10], "space_id": space.id,
                "requester_name": f"Citizen {len(rows):05d}", "requester_email": f"citizen{len(rows)}@example.org",
                "purpose": "Study group", "attendees": 4, "start_at": start, "end_at": start + timedelta(minutes=50),
                "status": STATUSES[len(rows) % len(STATUSES)], "manage_token": secrets.token_urlsafe(24),
            })
    for chunk in range(0, RESERVATIONS, 2000):
        db.session.execute(insert(Reservation), rows[chunk:chunk + 2000])
    db.session.commit()


def approver_cookie(app) -> str:  # type: ignore[no-untyped-def]
    sync_registry()
    employee = Employee(tenant_id="bench", entra_oid=secrets.token_hex(8), legal_name="Bench Approver",
                        upn="bench.approver@auburnal.gov", mail="bench.approver@auburnal.gov", account_enabled=True)
    db.session.add(employee)
    db.session.flush()
    db.session.add(RoleAssignment(employee=employee, module_key="reservations", role_key="approver", source="manual"))
    token = open_staff_session(employee)
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session[SESSION_TOKEN_KEY] = token
        session["_user_id"] = str(employee.id)
        session["_fresh"] = True
    return client.get_cookie("session").value


def timed(session: requests.Session, url: str) -> list[float]:
    session.get(url, timeout=60)  # warm: first render, caches
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = session.get(url, timeout=60)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def main() -> None:
    with services(RATELIMIT_ENABLED=False) as running, running.app.app_context():
        limiter.enabled = False
        seed_demo(running.tenant.tenant_id, "America/Chicago")
        spaces = list(db.session.scalars(select(FacilitySpace).join(ReservationConfig)
                                         .where(FacilitySpace.facility_id == select(FacilitySpace.facility_id)
                                                .join(ReservationConfig).limit(1).scalar_subquery())))
        fill(spaces)
        facility, room = spaces[0].facility, spaces[0]
        cookie = approver_cookie(running.app)
        server = make_server("127.0.0.1", 0, running.app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        staff, citizen = requests.Session(), requests.Session()
        staff.cookies.set("session", cookie)
        today = datetime.now(CITY).date()
        pages = [
            ("list, page 1 of all", f"{base}/staff/bookings/", staff),
            ("list, facility + search", f"{base}/staff/bookings/?facility={facility.id}&q=citizen+1234", staff),
            ("list, one month, page 3", f"{base}/staff/bookings/?from={today}&to={today + timedelta(days=30)}&page=3",
             staff),
            ("grid, day", f"{base}/staff/bookings/grid?facility={facility.id}&date={today}", staff),
            ("grid, week", f"{base}/staff/bookings/grid?facility={facility.id}&date={today}&view=week", staff),
            ("public room page, cached (reference)", f"{base}/reservations/{facility.slug}/{room.slug}/", citizen),
        ]
        results = [(label, timed(session, url)) for label, url, session in pages]
        started = time.perf_counter()
        csv_rows = staff.get(f"{base}/staff/bookings/export.csv", timeout=120).text.count("\n") - 1
        csv_seconds = time.perf_counter() - started
        server.shutdown()

    print(f"{RESERVATIONS} reservations in {len(spaces)} rooms of {facility.name}; {REPEATS} requests per page over HTTP")
    print(f"{'':40}{'p50 ms':>10}{'p95 ms':>10}")
    for label, timings in results:
        print(f"{label:40}{statistics.median(timings) * 1000:>10.1f}{percentile(timings, 0.95) * 1000:>10.1f}")
    print(f"CSV of all {csv_rows} reservations: {csv_seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
