"""Request ids, JSON logs with request context, and /metrics kept from the public."""
from __future__ import annotations

import json
import logging

from app.jobs.outbox import record_operation
from app.extensions import db
from app.web.observability import RequestContextFilter
from pythonjsonlogger.json import JsonFormatter


def test_every_response_carries_a_request_id_and_honours_a_valid_incoming_one(client):
    generated = client.get("/").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/", headers={"X-Request-ID": "lb-7f3a-01"}).headers["X-Request-ID"] == "lb-7f3a-01"
    forged = client.get("/", headers={"X-Request-ID": "bad id with spaces and ; semicolons"}).headers["X-Request-ID"]
    assert forged != "bad id with spaces and ; semicolons" and len(forged) == 32


def test_json_log_lines_carry_the_request_id(app):
    formatter = JsonFormatter("{asctime}{levelname}{name}{message}", style="{")
    context = RequestContextFilter()
    with app.test_request_context("/", headers={"X-Request-ID": "req-123"}):
        app.preprocess_request()
        record = logging.LogRecord("app.test", logging.INFO, __file__, 1, "hello %s", ("city",), None)
        context.filter(record)
        line = json.loads(formatter.format(record))
    assert line["message"] == "hello city"
    assert line["request_id"] == "req-123"
    assert line["user_id"] is None


def test_metrics_report_latency_queue_depth_and_outbox_from_loopback(app, client):
    record_operation(
        "create_event", target_type="reservation", target_id=1,
        payload={"mailbox": "rm_LIB_ProgramRoom@auburnal.gov"}, idempotency_key="metrics-test",
    )
    db.session.commit()
    client.get("/accessibility")
    body = client.get("/metrics", environ_overrides={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)
    assert 'mygov_http_request_duration_seconds_count{method="GET",route="/accessibility",status="200"}' in body
    assert 'mygov_outbox_operations{status="pending"} 1.0' in body
    assert 'mygov_queue_depth{queue="graph"}' in body


def test_metrics_are_hidden_from_the_public_and_open_to_the_scrape_token(app, client):
    assert client.get("/metrics", environ_overrides={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    app.config["METRICS_TOKEN"] = "scrape-secret"
    try:
        public = {"REMOTE_ADDR": "203.0.113.9"}
        assert client.get("/metrics", environ_overrides=public).status_code == 404
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"}, environ_overrides=public)
        assert wrong.status_code == 404
        right = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}, environ_overrides=public)
        assert right.status_code == 200
    finally:
        app.config["METRICS_TOKEN"] = None
