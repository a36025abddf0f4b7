"""Outbox latency with real workers: commit -> Graph call completed, for 500 operations.

Two `python worker.py --no-scheduler` processes on a real Redis and PostgreSQL (a database made
for the run), the dev tenant over HTTPS, no throttling. Operations are committed at a steady rate,
as staff and citizens would. Prints p50/p95 beside the bare Graph create-event call measured in
the same run. Target: p95 under 1 s.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/outbox_latency.py
"""
from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta, timezone

from harness import percentile, services
from sqlalchemy import select

from app.extensions import db
from app.graph import calendar
from app.jobs.models import GraphOperation
from app.jobs.outbox import record_operation
from app.microsoft import graph_client

OPERATIONS, RATE_PER_SECOND, ROOM = 500, 20, "rm_CC_Gymnasium@auburnal.gov"


def event(n: int) -> dict:
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3, minutes=n)
    return {"subject": f"Bench {n}", "start": calendar.graph_datetime(start),
            "end": calendar.graph_datetime(start + timedelta(minutes=30)), "showAs": "busy"}


def bare_calls(count: int = 50) -> list[float]:
    graph, timings = graph_client(), []
    for n in range(count):
        started = time.perf_counter()
        calendar.create_event(graph, ROOM, {**event(10_000 + n), "transactionId": f"bare-{n}"})
        timings.append(time.perf_counter() - started)
    return timings


def main() -> None:
    with services() as running, running.app.app_context():
        bare = bare_calls()
        running.start_workers(2)
        committed: dict[int, float] = {}
        next_at = time.monotonic()
        for n in range(OPERATIONS):
            operation = record_operation("create_event", target_type="bench", target_id=str(n),
                                         payload={"mailbox": ROOM, "event": event(n)}, idempotency_key=f"bench-{n}")
            db.session.commit()
            committed[operation.id] = time.time()
            next_at += 1 / RATE_PER_SECOND
            time.sleep(max(0.0, next_at - time.monotonic()))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            db.session.rollback()
            done = db.session.execute(select(GraphOperation.id, GraphOperation.completed_at)
                                      .where(GraphOperation.status == "done")).all()
            if len(done) == OPERATIONS:
                break
            time.sleep(0.2)
        latencies = [completed.timestamp() - committed[op_id] for op_id, completed in done]

    print(f"{OPERATIONS} operations committed at {RATE_PER_SECOND}/s, 2 workers, no throttling; "
          f"{len(latencies)} completed")
    print(f"{'':44}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'outbox: commit -> Graph call completed':44}{statistics.median(latencies) * 1000:>10.0f}"
          f"{percentile(latencies, 0.95) * 1000:>10.0f}")
    print(f"{'bare Graph create-event call (reference)':44}{statistics.median(bare) * 1000:>10.0f}"
          f"{percentile(bare, 0.95) * 1000:>10.0f}")
    print(f"target: p95 under 1000 ms -> {'met' if percentile(latencies, 0.95) < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
