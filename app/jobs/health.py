"""Health of the parts MyGov needs to run: database, queue, workers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import text

from app.extensions import db
from app.jobs.queue import get_redis, live_workers


@dataclass
class HealthReport:
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return all(check["ok"] for check in self.checks.values())

    def as_dict(self) -> dict[str, Any]:
        return {"status": "ok" if self.healthy else "unavailable", "checks": self.checks}


def check_health() -> HealthReport:
    report = HealthReport()
    try:
        db.session.execute(text("SELECT 1"))
        report.checks["database"] = {"ok": True, "backend": db.engine.dialect.name}
    except Exception as exc:  # any failure to reach the database means "down"
        db.session.rollback()
        report.checks["database"] = {"ok": False, "error": type(exc).__name__}

    embedded = current_app.config["EMBEDDED_QUEUE"]
    try:
        connection = get_redis()
        connection.ping()
        report.checks["queue"] = {"ok": True, "backend": "fakeredis" if embedded else "redis"}
        workers = live_workers(connection)
        report.checks["worker"] = {
            "ok": bool(workers),
            "alive": len(workers),
            "last_heartbeat": max(
                (w.last_heartbeat.isoformat() for w in workers if w.last_heartbeat), default=None
            ),
        }
    except Exception as exc:  # Redis unreachable: queue and worker are both unknown
        report.checks["queue"] = {"ok": False, "error": type(exc).__name__}
        report.checks["worker"] = {"ok": False, "error": "queue unreachable"}
    return report
