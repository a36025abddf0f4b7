"""`python worker.py`: an RQ worker for the graph, mail, sync and default queues on real Redis."""
from __future__ import annotations

import sys

from rq import Queue, Worker

from app import create_app
from app.jobs.queue import QUEUE_NAMES, WORKER_TTL_SECONDS, redis_for


def main() -> int:
    app = create_app()
    if app.config["EMBEDDED_QUEUE"]:
        print("REDIS_URL is not set: the embedded mode runs its worker inside the web process.")
        return 2
    connection = redis_for(app)
    with app.app_context():
        queues = [Queue(name, connection=connection) for name in QUEUE_NAMES]
        worker = Worker(queues, connection=connection, worker_ttl=WORKER_TTL_SECONDS)
        worker.work(with_scheduler=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
