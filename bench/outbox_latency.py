"""Outbox latency with a real worker: commit -> Graph call completed, for 500 operations.

Runs two `python worker.py --no-scheduler` processes on a real Redis and PostgreSQL (a database
created for the run and dropped after), the dev tenant over HTTPS, no throttling. Operations are
committed at a steady rate, as staff and citizens would. Prints p50/p95 beside the bare Graph
create-event call measured in the same run. Target: p95 under 1 s.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/outbox_latency.py
"""
from __future__ import annotations

import logging
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.devtenant import DevTenantServer  # noqa: E402
from app.extensions import db  # noqa: E402
from app.graph import calendar  # noqa: E402
from app.jobs.models import GraphOperation  # noqa: E402
from app.jobs.outbox import record_operation  # noqa: E402
from app.microsoft import graph_client  # noqa: E402

OPERATIONS, RATE_PER_SECOND, ROOM = 500, 20, "rm_CC_Gymnasium@auburnal.gov"
SECRET = "bench-secret-key-" + "x" * 32


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def event(n: int) -> dict:
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3, minutes=n)
    return {"subject": f"Bench {n}", "start": calendar.graph_datetime(start),
            "end": calendar.graph_datetime(start + timedelta(minutes=30)), "showAs": "busy"}


def main() -> None:
    logging.disable(logging.INFO)
    admin_url = make_url(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    admin_url = admin_url.set(drivername="postgresql+psycopg")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    name = f"mygov_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = admin_url.set(database=name).render_as_string(hide_password=False)
    server = DevTenantServer(port=0, cert_dir=Path(tempfile.mkdtemp()))
    graph_env = {
        "ENTRA_AUTHORITY_HOST": server.url, "ENTRA_TENANT_ID": server.tenant_id,
        "GRAPH_BASE_URL": server.graph_base_url, "GRAPH_CA_BUNDLE": server.ca_path,
    }
    env = {**os.environ, **graph_env, "MYGOV_ENV": "test", "SECRET_KEY": SECRET, "DATABASE_URL": database_url,
           "REDIS_URL": redis_url}
    app = create_app(MYGOV_ENV="test", SECRET_KEY=SECRET, DATABASE_URL=database_url, REDIS_URL=redis_url, **graph_env)
    workers: list[subprocess.Popen] = []
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            db.session.execute(text("DELETE FROM server_job"))
            db.session.commit()
            graph = graph_client()
            graph.tokens.access_token()
            bare = []
            for n in range(50):
                started = time.perf_counter()
                calendar.create_event(graph, ROOM, {**event(10_000 + n), "transactionId": f"bare-{n}"})
                bare.append(time.perf_counter() - started)

            workers = [subprocess.Popen([sys.executable, "worker.py", "--no-scheduler"], cwd=ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
            time.sleep(3)  # workers connect and take their first token
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
            db.session.remove()
            db.engine.dispose()
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(10)
        server.stop()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

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
