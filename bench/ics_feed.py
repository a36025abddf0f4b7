"""A 5,000-event calendar's ICS feed: cached serve, 304, cold build — beside Radicale serving the same.

Serves the app over HTTP (threaded WSGI server) on PostgreSQL and Redis with a public calendar of
5,000 events (single, weekly series, all-day). Measures, over HTTP on 127.0.0.1 with one
keep-alive session each, the median time of: a GET served from the Redis-cached body; a
conditional GET answered 304 (If-None-Match); a cold GET that builds the feed (the cache key
dropped before each). Then starts Radicale (pip `radicale`, the dev extra) on 127.0.0.1, uploads
the same feed into a collection, and measures its GET of that collection. "Cold" drops both the
Redis entry and the web process's in-memory copy before each GET. Targets: cached at
least 100x faster than Radicale; cold build no slower than Radicale.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/ics_feed.py
"""
from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from harness import ROOT, services, wait_for
from werkzeug.serving import make_server

from app.calendars import feed_cache
from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db
from app.jobs.queue import get_redis

EVENTS, ZONE = 5_000, ZoneInfo("America/Chicago")
RUNS = {"cached": 200, "not_modified": 200, "cold": 9, "radicale": 9}


def seed() -> None:
    calendar = Calendar(name="Busy City Calendar", slug="busy", time_zone=ZONE.key, description="5,000 events")
    db.session.add(calendar)
    db.session.flush()
    first = datetime.now(ZONE).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    changed = datetime(2026, 11, 1, tzinfo=timezone.utc)
    rows = []
    for n in range(EVENTS):
        start = first + timedelta(days=n % 365, hours=n % 9)
        row = {"calendar_id": calendar.id, "uid": f"bench-{n:05d}@mygov", "title": f"Event {n}: Café programme",
               "description": "Bring a friend. " * 4, "time_zone": ZONE.key, "status": "published",
               "location": "Program Room, Auburn Public Library", "category": ("Children", "Adults", "Civic")[n % 3],
               "sequence": n % 3, "updated_at": changed + timedelta(seconds=n), "created_at": changed,
               "exdates": [], "source": "mygov", "all_day": False, "rrule": None,
               "start_at": None, "end_at": None, "start_date": None, "end_date": None}
        if n % 10 == 9:
            day = date.today() + timedelta(days=n % 365)
            row.update(all_day=True, start_date=day, end_date=day + timedelta(days=1))
        else:
            row.update(start_at=start, end_at=start + timedelta(minutes=90))
            if n % 10 == 8:
                row["rrule"] = "FREQ=WEEKLY;COUNT=10"
        rows.append(row)
    db.session.execute(CalendarEvent.__table__.insert(), rows)
    db.session.commit()


def median_ms(call, runs: int, before=None) -> float:
    timings = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def radicale(feed: bytes) -> float:
    """Radicale 3 with a filesystem store: PUT the feed as a whole collection, then time its GET."""
    folder, port = Path(tempfile.mkdtemp()), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}", "--auth-type", "none",
         "--rights-type", "owner_only", "--storage-filesystem-folder", str(folder / "collections"),
         "--logging-level", "warning"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        session, url = requests.Session(), f"http://127.0.0.1:{port}/bench/busy/"
        session.auth = ("bench", "unused")
        wait_for(f"http://127.0.0.1:{port}/.web/", attempts=100, pause=0.1, get=session.get)
        started = time.perf_counter()
        upload = session.put(url, data=feed, headers={"Content-Type": "text/calendar; charset=utf-8"}, timeout=600)
        upload.raise_for_status()
        print(f"  (Radicale took {time.perf_counter() - started:.1f} s to store the {EVENTS:,} events)")
        served = session.get(url, timeout=600)
        served.raise_for_status()
        assert served.content.count(b"BEGIN:VEVENT") == feed.count(b"BEGIN:VEVENT"), "Radicale lost events"
        print(f"  (Radicale answers with Content-Encoding: {served.headers.get('Content-Encoding', 'identity')})")
        return median_ms(lambda: session.get(url, timeout=600).raise_for_status(), RUNS["radicale"])
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    with services(RATELIMIT_ENABLED=False) as running:
        app = running.app
        with app.app_context():
            seed()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/calendars/busy.ics"
        session = requests.Session()
        try:
            first = session.get(url, timeout=120)
            first.raise_for_status()
            feed, etag = first.content, first.headers["ETag"]
            encoding = first.headers.get("Content-Encoding", "identity")
            assert feed.count(b"BEGIN:VEVENT") == EVENTS

            def drop_cache() -> None:
                feed_cache.recent.clear()
                with app.app_context():
                    redis = get_redis()
                    for key in redis.scan_iter("mygov:ics:*"):
                        redis.delete(key)

            def not_modified() -> None:
                assert session.get(url, headers={"If-None-Match": etag}, timeout=60).status_code == 304

            cold = median_ms(lambda: session.get(url, timeout=120).raise_for_status(), RUNS["cold"], drop_cache)
            cached = median_ms(lambda: session.get(url, timeout=60).raise_for_status(), RUNS["cached"])
            answered = median_ms(not_modified, RUNS["not_modified"])
            assert session.get(url, timeout=60).content == feed  # byte-identical across builds
        finally:
            server.shutdown()
        print(f"ICS feed of {EVENTS:,} events ({len(feed) / 1e6:.1f} MB), median over HTTP on 127.0.0.1, "
              f"client accepting gzip as calendar apps do (MyGov answers with {encoding}):")
        other = radicale(feed)
        print(f"  MyGov cached serve   {cached:8.2f} ms  ({RUNS['cached']} GETs)")
        print(f"  MyGov 304            {answered:8.2f} ms  ({RUNS['not_modified']} conditional GETs)")
        print(f"  MyGov cold build     {cold:8.2f} ms  ({RUNS['cold']} GETs, cache dropped before each)")
        print(f"  Radicale 3.9.0 GET   {other:8.2f} ms  ({RUNS['radicale']} GETs of the same collection)")
        print(f"  cached is {other / cached:,.0f}x faster than Radicale (target >= 100x); "
              f"cold build is {other / cold:.2f}x Radicale's speed (target >= 1x)")


if __name__ == "__main__":
    main()
