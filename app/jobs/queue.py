"""Redis connection and RQ queues: real Redis in production, in-process fakeredis embedded."""
from __future__ import annotations

import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import fakeredis
from flask import Flask, current_app
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.timeouts import TimerDeathPenalty

QUEUE_NAMES = ("graph", "mail", "sync", "default")
# Workers live with a short TTL so a dead one is noticed within a minute and a half:
# an idle RQ worker heartbeats every (ttl - 15) seconds.
WORKER_TTL_SECONDS = 60
HEARTBEAT_MAX_AGE = timedelta(seconds=WORKER_TTL_SECONDS + 30)

_fake_server = fakeredis.FakeServer()
_connections: dict[str, Redis] = {}
_lock = threading.Lock()


def redis_for(app: Flask) -> Redis:
    url = app.config["REDIS_URL"]
    key = url or "embedded"
    with _lock:
        if key not in _connections:
            _connections[key] = (
                Redis.from_url(url) if url else fakeredis.FakeRedis(server=_fake_server)
            )
        return _connections[key]


def get_redis() -> Redis:
    return redis_for(current_app._get_current_object())  # type: ignore[attr-defined]


def get_queue(name: str, connection: Redis | None = None) -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=connection or get_redis())


def live_workers(connection: Redis) -> list[Worker]:
    """Workers whose heartbeat is recent enough to count as running, less those on this host
    whose process is gone (a SIGKILLed worker leaves its registration until its TTL runs out)."""
    now = datetime.now(timezone.utc)
    alive = []
    for worker in Worker.all(connection=connection):
        beat = worker.last_heartbeat
        if beat is None or not _process_may_run(worker):
            continue
        beat = beat if beat.tzinfo else beat.replace(tzinfo=timezone.utc)
        if now - beat <= HEARTBEAT_MAX_AGE:
            alive.append(worker)
    return alive


def _process_may_run(worker: Worker) -> bool:
    if worker.hostname != socket.gethostname() or not worker.pid:
        return True  # another machine's process: only its heartbeat tells
    try:
        os.kill(int(worker.pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process with that id: it exists
        return True
    return True


class ThreadWorker(SimpleWorker):
    """RQ's SimpleWorker made safe to run off the main thread (no signal handlers)."""

    death_penalty_class = TimerDeathPenalty  # job timeouts without SIGALRM

    def _install_signal_handlers(self) -> None:  # signals only work in the main thread
        pass

    @property
    def control_queue(self) -> Queue:
        return control_queue(self.name, self.connection)

    def stop(self) -> None:
        """Stop after the current job: RQ's loop checks the flag once the wake-up job has run."""
        self._stop_requested = True
        self.control_queue.enqueue(wake_up)


def control_queue(worker_name: str, connection: Redis) -> Queue:
    return Queue(f"embedded-control-{worker_name}", connection=connection)


def wake_up() -> None:
    """A no-op job that returns an idle worker from its blocking dequeue."""


@dataclass
class EmbeddedWorker:
    worker: ThreadWorker
    thread: threading.Thread
    scheduler: threading.Thread | None = None

    def stop(self, timeout: float = 10) -> None:
        if self.scheduler is not None:
            self.scheduler.stop(timeout)  # type: ignore[attr-defined]
        self.worker.stop()
        self.thread.join(timeout)


def start_embedded_worker(app: Flask, *, with_scheduler: bool = True) -> EmbeddedWorker:
    """The embedded mode's worker and scheduler: the same code as `python worker.py`, in threads."""
    connection = redis_for(app)
    name = f"embedded-{uuid.uuid4().hex[:12]}"
    queues = [Queue(queue, connection=connection) for queue in QUEUE_NAMES]
    worker = ThreadWorker(
        [*queues, control_queue(name, connection)],
        name=name, connection=connection, worker_ttl=WORKER_TTL_SECONDS,
    )

    def run() -> None:
        with app.app_context():
            worker.work(with_scheduler=False, logging_level="WARNING")

    thread = threading.Thread(target=run, name="mygov-embedded-worker", daemon=True)
    thread.start()
    scheduler = None
    if with_scheduler:
        from app.jobs.scheduler import SchedulerThread

        scheduler = SchedulerThread(app)
        scheduler.start()
    return EmbeddedWorker(worker, thread, scheduler)
