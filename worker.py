"""`python worker.py`: RQ workers for the graph, mail, sync and default queues, and the scheduler.

    python worker.py                  # a worker and a scheduler (several may run: jobs run once)
    python worker.py --no-scheduler   # a worker only
    python worker.py --scheduler-only # the scheduler only (the compose file's `scheduler` service)

Jobs run in this process (no fork per job): Graph calls are I/O-bound, and keeping one process
keeps one MSAL token cache and one connection pool, as the contract asks.
"""
from __future__ import annotations

import argparse
import signal
import sys

from rq import Queue, SimpleWorker

from app import create_app
from app.jobs.queue import QUEUE_NAMES, WORKER_TTL_SECONDS, redis_for
from app.jobs.scheduler import SchedulerThread


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--no-scheduler", action="store_true", help="run only the RQ worker")
    mode.add_argument("--scheduler-only", action="store_true", help="run only the scheduler")
    parser.add_argument("--queues", default=",".join(QUEUE_NAMES), help="comma-separated queues")
    args = parser.parse_args(argv)

    app = create_app()
    if app.config["EMBEDDED_QUEUE"]:
        print("REDIS_URL is not set: the embedded mode runs its worker inside the web process.")
        return 2
    scheduler = None if args.no_scheduler else SchedulerThread(app)
    if args.scheduler_only:
        assert scheduler is not None
        signal.signal(signal.SIGTERM, lambda *_: scheduler.stopping.set())
        scheduler.run()
        return 0
    if scheduler:
        scheduler.start()
    connection = redis_for(app)
    with app.app_context():
        queues = [Queue(name, connection=connection) for name in args.queues.split(",")]
        worker = SimpleWorker(queues, connection=connection, worker_ttl=WORKER_TTL_SECONDS)
        worker.work(with_scheduler=False, logging_level="INFO")
    if scheduler:
        scheduler.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
