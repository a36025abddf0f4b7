"""What the benchmarks that need real services share: a throwaway PostgreSQL database, the dev
tenant over HTTPS, the app configured for both, `worker.py` processes, and percentiles."""
from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-key-" + "x" * 32


def wait_for(url: str, attempts: int = 60, pause: float = 0.5, get: Any = None) -> None:
    """Until a server just started answers (any status) at `url`."""
    import requests

    for _ in range(attempts):
        try:
            (get or requests.get)(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(pause)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


@dataclass
class Services:
    app: Flask
    environment: dict[str, str]
    tenant: Any
    workers: list[subprocess.Popen] = field(default_factory=list)

    def start_workers(self, count: int = 2) -> None:
        self.workers += [
            subprocess.Popen([sys.executable, "worker.py", "--no-scheduler"], cwd=ROOT, env=self.environment,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(count)
        ]
        time.sleep(3)  # the workers connect and take their first app token


@contextmanager
def services(*, sqlite: bool = False, tenant: Any = None, **overrides: Any) -> Iterator[Services]:
    """PostgreSQL (a database made for the run, dropped after) or a SQLite file, Redis, the dev
    tenant (started here unless one is given), and the app migrated on that database."""
    from flask_migrate import upgrade

    from app import create_app
    from app.devtenant import DevTenantServer
    from app.extensions import db

    logging.disable(logging.INFO)
    admin_url = make_url(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    admin = create_engine(admin_url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    name = f"mygov_bench_{secrets.token_hex(4)}"
    if sqlite:
        database_url = f"sqlite:///{tempfile.mkdtemp()}/{name}.db"
    else:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        database_url = admin.url.set(database=name).render_as_string(hide_password=False)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    own_tenant = tenant is None
    tenant = tenant or DevTenantServer(port=0, cert_dir=Path(tempfile.mkdtemp()))
    graph = {"ENTRA_AUTHORITY_HOST": tenant.url, "ENTRA_TENANT_ID": tenant.tenant_id,
             "GRAPH_BASE_URL": tenant.graph_base_url, "GRAPH_CA_BUNDLE": tenant.ca_path}
    settings = {"MYGOV_ENV": "test", "SECRET_KEY": SECRET, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                **graph}
    app = create_app(**settings, **overrides)
    running = Services(app, {**os.environ, **settings}, tenant)
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            db.session.execute(text("DELETE FROM server_job"))  # nothing scheduled competes with the run
            db.session.commit()
        yield running
    finally:
        for worker in running.workers:
            worker.terminate()
            worker.wait(10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if own_tenant:
            tenant.stop()
        if not sqlite:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
