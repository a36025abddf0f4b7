"""gunicorn settings for MyGov's web process (`gunicorn -c deploy/gunicorn.conf.py wsgi:app`)."""
import multiprocessing
import os

bind = os.environ.get("MYGOV_BIND", "0.0.0.0:8000")
# Cores + 1: rendering is CPU-bound Python and the database is near, so processes beyond that only
# contend (measured by bench/load.sh on 2 cores: 3 workers beat 5 on requests/s and p99).
# Each worker is a separate process with its own DB pool.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("MYGOV_THREADS", "2"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Each worker listens on its own SO_REUSEPORT socket, so the kernel spreads new connections over
# the workers. On one shared socket, whichever worker woke first took a burst of kept-alive
# connections: bench/load.sh saw 32 of 32 on one worker (one core, the GIL) and two idle. A worker
# being recycled drops the connections still waiting in its own backlog unless the host sets
# net.ipv4.tcp_migrate_req=1 (Linux 5.14+), which hands them to a sibling.
reuse_port = True
# A worker is recycled (a guard against slow leaks) after this many requests. At 300 requests/s,
# 2,000 meant each worker rebooting every 20 s, a boot costing a core-second and stalling the
# connections queued on it (wrk saw 2 s timeouts); this is about once an hour at the city's peak.
max_requests = 50000
max_requests_jitter = 5000
accesslog = "-"
errorlog = "-"
# Citizens' manage links are bearer tokens: the access log writes /reservations/manage/[redacted].
logger_class = "app.web.log_redaction.RedactingGunicornLogger"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker) -> None:  # type: ignore[no-untyped-def]
    """A web worker is gone: prometheus_client drops its live gauges (its counters stay summed)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        from app.metrics import process_identifier

        multiprocess.mark_process_dead(process_identifier(worker.pid))
