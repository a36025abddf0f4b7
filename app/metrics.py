"""Prometheus metrics shared by the web process and the workers.

Production runs several gunicorn workers and separate `worker.py` processes, so it sets
PROMETHEUS_MULTIPROC_DIR (one directory for all of them, see deploy/): each process writes its
counters to files there and /metrics adds them up when scraped (prometheus_client's multiprocess
mode). gunicorn's `child_exit` hook tells prometheus_client when a web worker is gone.
"""
from __future__ import annotations

import os
import socket

from prometheus_client import Counter, Histogram, values

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def process_identifier(pid: int | None = None) -> str:
    """Names this process's files; the host name keeps containers sharing one volume apart."""
    return f"{socket.gethostname()}_{pid if pid is not None else os.getpid()}"


if MULTIPROC_DIR:
    os.makedirs(MULTIPROC_DIR, exist_ok=True)
    values.ValueClass = values.MultiProcessValue(process_identifier)

REQUEST_LATENCY = Histogram(
    "mygov_http_request_duration_seconds",
    "Time to answer an HTTP request, by route",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5),
)
GRAPH_CALLS = Counter(
    "mygov_graph_calls_total", "Microsoft Graph calls by method and HTTP status", ["method", "status"]
)
GRAPH_THROTTLE_WAIT = Counter(
    "mygov_graph_throttle_wait_seconds_total",
    "Seconds spent waiting on Graph Retry-After (429/503/504)",
)
