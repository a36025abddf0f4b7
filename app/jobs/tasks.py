"""What RQ workers run: outbox operations and server job runs (by dotted path, see dispatch)."""
from __future__ import annotations

from app.jobs import runner
from app.jobs.dispatch import dequeued
from app.microsoft import graph_client


def run_operation(operation_id: int) -> str:
    dequeued(operation_id)
    outcome = runner.run(operation_id, graph_client)
    return f"{outcome.status} {outcome.detail}".strip()


def run_server_job(run_id: int) -> str:
    from app.jobs.scheduler import execute_run

    return execute_run(run_id)
