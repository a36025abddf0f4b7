"""Request ids, structured JSON logs and the Prometheus /metrics endpoint."""
from __future__ import annotations

import hmac
import logging
import os
import re
import time
import uuid

from flask import Blueprint, Flask, Response, abort, current_app, g, has_request_context, request
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from pythonjsonlogger.json import JsonFormatter
from rq import get_current_job
from sqlalchemy import func, select

from app.extensions import csrf, db
from app.jobs.models import GraphOperation
from app.jobs.queue import QUEUE_NAMES, get_queue
from app.metrics import REQUEST_LATENCY
from app.web.log_redaction import install_access_log_redaction

metrics_bp = Blueprint("metrics", __name__)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
LOOPBACK = {"127.0.0.1", "::1"}
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host")


class RequestContextFilter(logging.Filter):
    """Adds the request id, signed-in user and RQ job id to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = getattr(g, "request_id", None)
            user = current_user if current_user and current_user.is_authenticated else None
            record.user_id = user.get_id() if user else None
        job = get_current_job()
        if job is not None:
            record.rq_job_id = job.id
        return True


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    if app.config["MYGOV_ENV"] == "production" or app.config.get("LOG_FORMAT") == "json":
        handler.setFormatter(
            JsonFormatter("{asctime}{levelname}{name}{message}", style="{", rename_fields={"levelname": "level"})
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if app.config["TESTING"] else logging.INFO)
    install_access_log_redaction()


def install_request_tracking(app: Flask) -> None:
    @app.before_request
    def start_request() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def finish_request(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        started = g.get("request_started")
        if started is not None:
            route = request.url_rule.rule if request.url_rule else "unmatched"
            REQUEST_LATENCY.labels(route, request.method, str(response.status_code)).observe(
                time.perf_counter() - started
            )
        return response


class LiveStateCollector:
    """Queue depth and outbox operations by status, read when Prometheus scrapes."""

    def collect(self):  # type: ignore[no-untyped-def]
        depth = GaugeMetricFamily("mygov_queue_depth", "Jobs waiting in each RQ queue", labels=["queue"])
        for name in QUEUE_NAMES:
            depth.add_metric([name], get_queue(name).count)
        yield depth
        outbox = GaugeMetricFamily(
            "mygov_outbox_operations", "Outbox operations by status", labels=["status"]
        )
        rows = db.session.execute(
            select(GraphOperation.status, func.count()).group_by(GraphOperation.status)
        ).all()
        for status, count in rows:
            outbox.add_metric([status], count)
        yield outbox


def _authorised_scrape() -> bool:
    """The scrape token when one is set; production always needs it.

    Without a token only a direct loopback request is let in: behind a reverse proxy on the same
    host every visitor arrives from 127.0.0.1, so a request the proxy forwarded is refused.
    """
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        supplied = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(supplied.encode(), token.encode())
    if current_app.config["MYGOV_ENV"] == "production":
        return False
    forwarded = any(name in request.headers for name in FORWARDING_HEADERS)
    return request.remote_addr in LOOPBACK and not forwarded


@metrics_bp.get("/metrics")
@csrf.exempt
def metrics() -> Response:
    if not _authorised_scrape():
        abort(404)  # not advertised to the public at all
    live = CollectorRegistry()
    live.register(LiveStateCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every web and worker process's counters, not only this gunicorn worker's.
        process_registry = CollectorRegistry()
        MultiProcessCollector(process_registry)
        body = generate_latest(process_registry)
    else:
        from prometheus_client import REGISTRY

        body = generate_latest(REGISTRY)
    return Response(body + generate_latest(live), mimetype=CONTENT_TYPE_LATEST)
