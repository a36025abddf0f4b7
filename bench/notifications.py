"""Live sync (issue 23): a city of 500 rooms and 5,000 staff, one hour of activity, polling
against Graph change notifications side by side.

The hour: 1,000 Outlook bookings spread over the rooms, 50 directory changes, 20 bounces, and
visitors keeping 200 room pages open (a view every 20 s each). Served over HTTP (threaded WSGI)
on PostgreSQL and Redis with two `worker.py` processes and the dev tenant (notification delay 0).

* Graph requests per hour. Polling: counted from the polling rules MyGov runs without
  notifications (FREEBUSY_CACHE_SECONDS per viewed room, directory every 15 min, bounces every
  10 min). Notifications: counted at the dev tenant while the hour's changes are played (as fast
  as they go), plus the subscriptions' renewals per hour and the nightly safety net per hour.
* p95 seconds from a notification's arrival at /graph/notifications to the room page showing the
  booking, over 200 bookings measured one by one, beside Microsoft's documented delivery latency.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/notifications.py
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from datetime import datetime, time as clock, timedelta
from zoneinfo import ZoneInfo

import requests
from harness import percentile, services
from sqlalchemy import select
from werkzeug.serving import make_server

from app.devtenant.state import Mailbox
from app.extensions import db
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from app.graph import subscriptions as graph_subscriptions
from app.graph.calendar import graph_datetime
from app.graph.mail import send_mail
from app.microsoft import graph_client
from app.people.tasks import apply_directory_changes
from app.subscriptions import services as subscription_services
from app.subscriptions.models import GraphSubscription

ROOMS, STAFF, BOOKINGS, DIRECTORY_CHANGES, BOUNCES, MEASURED = 500, 5_000, 1_000, 50, 20, 200
VIEWED_ROOMS, FREEBUSY_SECONDS = 200, 20
CITY = ZoneInfo("America/Chicago")
RUN = secrets.token_hex(2)  # names of this run's rooms: cached pages and answers of other runs never match
FREE_TIME = re.compile(r"\d{1,2}:\d{2} [AP]M to \d{1,2}:\d{2} [AP]M")
DOCUMENTED = "Microsoft: calendar < 1 min average, 3 min maximum; event, user: not published"
arrivals: dict[str, float] = {}


def record_arrivals() -> None:
    """Note when each room's notification reaches MyGov (the endpoint runs in this process)."""
    accept = subscription_services.accept_notifications

    def noting(payload):  # type: ignore[no-untyped-def]
        now = time.perf_counter()
        for item in (payload or {}).get("value", []):
            parts = str(item.get("resource", "")).split("/")  # Users/{mailbox id}/Events/{event id}
            if len(parts) > 2 and parts[2] == "Events":
                arrivals.setdefault(parts[1], now)
        return accept(payload)

    subscription_services.accept_notifications = noting  # type: ignore[assignment]


def mailbox_address(number: int) -> str:
    return f"rm_C{RUN}_Room{number:03d}@auburnal.gov"


def build_city(tenant) -> list[FacilitySpace]:  # type: ignore[no-untyped-def]
    state = tenant.tenant.state
    tenant.control.add_users_bulk(STAFF - len(state.users))
    facility = Facility(name="City Buildings", slug=f"city-{RUN}", building_abbreviation="CTY", address="Auburn, AL")
    spaces = []
    for number in range(ROOMS):
        address = mailbox_address(number)
        with state.lock:
            state.add_mailbox(Mailbox(f"room-{number:03d}", address, f"Room {number:03d}", "room"))
        spaces.append(FacilitySpace(
            facility=facility, name=f"Room {number:03d}", slug=f"room-{number:03d}", floor="1", capacity=10,
            exchange_resource_mailbox=address, reservation_config=ReservationConfig(
                approval_required=True, open_time=clock(9), close_time=clock(20), open_weekdays=[1, 2, 3, 4, 5, 6],
                min_duration_minutes=30, max_duration_minutes=240, lead_time_hours=2, buffer_minutes=0,
                max_attendees=10)))
    db.session.add_all(spaces)
    db.session.commit()
    return spaces


def open_day() -> datetime:
    day = datetime.now(CITY).date() + timedelta(days=3)
    while day.isoweekday() == 7:
        day += timedelta(days=1)
    return datetime.combine(day, clock(0), CITY)


def graph_requests(tenant) -> int:  # type: ignore[no-untyped-def]
    return sum(count for key, count in tenant.control.counters()["requests"].items() if "/v1.0/" in key)


def main() -> None:
    record_arrivals()
    with services(GRAPH_NOTIFICATION_URL="", FREEBUSY_CACHE_SECONDS="3600", PUBLIC_PAGE_CACHE_SECONDS="3600",
                  RATELIMIT_ENABLED="false") as running:
        app, tenant = running.app, running.tenant
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        tenant.control.update_settings(notification_https_only=False, notification_delay_seconds=0)
        app.config["GRAPH_NOTIFICATION_URL"] = f"{base}/graph/notifications"
        with app.app_context():
            spaces = build_city(tenant)
            apply_directory_changes()  # the first full sync, as MyGov has done long before the hour
            started = time.perf_counter()
            created = subscription_services.ensure_subscriptions()
            subscribe_seconds = time.perf_counter() - started
            kept = db.session.scalars(select(GraphSubscription)).all()
            pages = [f"{base}/reservations/city-{RUN}/{s.slug}/" for s in spaces]
        running.environment["GRAPH_NOTIFICATION_URL"] = app.config["GRAPH_NOTIFICATION_URL"]
        running.start_workers(2)
        day = open_day()
        http = requests.Session()
        for page in pages[:VIEWED_ROOMS]:  # the open pages: answers cached until a room changes
            http.get(page, params={"date": day.date().isoformat()})
        tenant.control.reset_counters()

        latencies = []
        for number in range(BOOKINGS):
            room = number % ROOMS
            address = mailbox_address(room)
            hour = 9 + (number // ROOMS) * 2
            start = day + timedelta(hours=hour)
            before = free_times(http, pages[room], day) if number < MEASURED else []
            tenant.control.add_event(address, {"subject": "Booked in Outlook", "showAs": "busy",
                                               "start": graph_datetime(start),
                                               "end": graph_datetime(start + timedelta(hours=1))})
            if number < MEASURED:
                latencies.append(wait_until_visible(http, pages[room], day, f"room-{room:03d}", before))
        for number in range(DIRECTORY_CHANGES):
            user = tenant.control.add_users_bulk(1, prefix="newhire")[0]
            tenant.control.update_user(user, jobTitle=f"Clerk {number}")
        with app.app_context():
            for number in range(BOUNCES):  # each comes back as a report in the sender's inbox
                send_mail(graph_client(), app.config["MAIL_SENDER"], {
                    "subject": f"Your booking {number}",
                    "toRecipients": [{"emailAddress": {"address": f"nobody{number}@invalid.example"}}]})
        time.sleep(5)  # the workers finish the hour's reads
        for page in pages[:VIEWED_ROOMS]:  # the open pages' next views: a changed room asks once
            http.get(page, params={"date": day.date().isoformat()})
        by_route = tenant.control.counters()["requests"]
        changes_requests = graph_requests(tenant) - BOUNCES  # MyGov's own sendMail calls are not sync

    renewals = sum(60 / (graph_subscriptions.LIFETIME_MINUTES["directory" if s.purpose == "users" else "outlook"]
                         * subscription_services.RENEW_WHEN_LEFT) for s in kept)
    safety_net = ROOMS / 24 + 1 + 1  # one full free/busy, directory and bounce round a night
    notified = changes_requests + renewals + safety_net
    polling = VIEWED_ROOMS * 3600 / FREEBUSY_SECONDS + 4 * (STAFF // 999 + 1) + 6
    print(f"city: {ROOMS} rooms, {STAFF:,} staff; subscriptions: {created} in {subscribe_seconds:.1f} s")
    print(f"Graph requests per hour: polling {polling:,.0f}  |  notifications {notified:,.0f} "
          f"({changes_requests} for the hour's changes, {renewals:.0f} renewals, {safety_net:.0f} safety net) "
          f"-> {polling / notified:.0f}x fewer (target >= 20x)")
    print("  the hour's requests by route: " + ", ".join(
        f"{route} {count}" for route, count in sorted(by_route.items()) if "/v1.0/" in route))
    print(f"arrival -> visible on the room page, {len(latencies)} bookings: p50 {percentile(latencies, 0.5):.3f} s, "
          f"p95 {percentile(latencies, 0.95):.3f} s (target < 2 s); {DOCUMENTED}")


def free_times(http: requests.Session, page: str, day: datetime) -> list[str]:
    html = http.get(page, params={"date": day.date().isoformat()}).text
    return FREE_TIME.findall(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)))


def wait_until_visible(http: requests.Session, page: str, day: datetime, mailbox_id: str,
                       before: list[str]) -> float:
    """Seconds from the room's notification arriving to its page offering different free times."""
    if not before:
        raise SystemExit(f"the page of {mailbox_id} shows no free times to compare")
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        if mailbox_id in arrivals and free_times(http, page, day) != before:
            return time.perf_counter() - arrivals.pop(mailbox_id)
        time.sleep(0.01)
    raise SystemExit(f"the booking in {mailbox_id} never showed")


if __name__ == "__main__":
    main()
