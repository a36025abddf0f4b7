"""Prometheus metrics shared by the web process and the workers.

Under gunicorn with several processes set PROMETHEUS_MULTIPROC_DIR so every process's counters
are aggregated at scrape time (prometheus_client's multiprocess mode).
"""
from __future__ import annotations

from prometheus_client import Counter, Histogram

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
