"""Every Graph exchange of the test session, checked against Microsoft's v1.0 schema at its end.

The dev tenant's WSGI app is wrapped so each `/v1.0` and `/beta` request (inner `$batch`
requests too) is kept with its answer: MyGov's client calls and the dev tenant's answers alike.
Recording only copies bytes; the checking runs once, after the last test. Exchanges the dev tenant
refused (4xx/5xx) are tests of refusal and are not checked; everything it accepted must be valid
Graph v1.0: a path that resolves in the CSDL, and bodies with declared names, types and enum
members. Beta calls are listed apart. Any mismatch fails the run (exit status 1).

The CSDL is `../shared/graph-schema/v1.0-Prod.csdl` beside the repository (or beside the
worktrees' folder); `MYGOV_GRAPH_CSDL` names another file.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.csdl import GraphSchema, SchemaMismatch, element_type

REPO = Path(__file__).resolve().parent.parent
CSDL_CANDIDATES = (
    REPO.parent / "shared" / "graph-schema" / "v1.0-Prod.csdl",
    REPO.parent.parent / "shared" / "graph-schema" / "v1.0-Prod.csdl",
)
UNCHECKED_PATHS = ("/$batch",)  # its envelope is not in the CSDL; its inner requests are recorded


@dataclass
class Exchange:
    method: str
    path: str
    request_body: bytes
    status: int
    content_type: str
    answer: bytes

    def label(self) -> str:
        return f"{self.method} {self.path} → {self.status}"


class Recorder:
    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.lock = threading.Lock()

    def wrap(self, wsgi_app: Any) -> Any:
        def recording_app(environ: dict[str, Any], start_response: Any) -> Any:
            path = environ.get("PATH_INFO", "")
            if not path.startswith(("/v1.0/", "/beta/")):
                return wsgi_app(environ, start_response)
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = b""
            if length:  # a chunked body (no Content-Length) is left to the app, unrecorded
                body = environ["wsgi.input"].read(length)
                environ["wsgi.input"] = io.BytesIO(body)
            seen: dict[str, Any] = {}

            def capture(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                seen["status"] = int(status.split()[0])
                seen["type"] = next((v for k, v in headers if k.lower() == "content-type"), "")
                return start_response(status, headers, *rest)

            iterable = wsgi_app(environ, capture)
            try:
                answer = b"".join(iterable)
            finally:
                getattr(iterable, "close", lambda: None)()
            exchange = Exchange(environ["REQUEST_METHOD"], path, body, seen["status"], seen["type"], answer)
            with self.lock:
                self.exchanges.append(exchange)
            return [answer]

        return recording_app


RECORDER = Recorder()


def record(server: Any) -> None:
    """Wrap a DevTenantServer's app (called once by the session's `devtenant` fixture)."""
    server.app.wsgi_app = RECORDER.wrap(server.app.wsgi_app)


def csdl_path() -> Path | None:
    named = os.environ.get("MYGOV_GRAPH_CSDL")
    if named:
        return Path(named)
    return next((p for p in CSDL_CANDIDATES if p.exists()), None)


def check_exchange(schema: GraphSchema, exchange: Exchange) -> list[str]:
    path = exchange.path[len("/v1.0") :]
    if path in UNCHECKED_PATHS:
        return []
    try:
        resolved = schema.resolve(path)
    except SchemaMismatch as error:
        return [f"path: {error}"]
    problems = []
    request_body = _json(exchange.request_body)
    if request_body is not None and exchange.method in ("POST", "PATCH", "PUT") and resolved.type_name:
        if resolved.operation is not None:
            problems += schema.check_parameters(resolved.operation, request_body, "request")
        elif not path.endswith("/$ref"):
            problems += schema.check_value(element_type(resolved.type_name)[0], request_body, "request")
    answer = _json(exchange.answer) if "json" in exchange.content_type else None
    if answer is not None and resolved.type_name:
        problems += check_answer(schema, resolved.type_name, answer)
    return problems


def check_answer(schema: GraphSchema, type_name: str, answer: Any) -> list[str]:
    inner, many = element_type(type_name)
    if isinstance(answer, dict) and "value" in answer and (many or inner.startswith("Edm.")):
        return schema.check_value(f"Collection({inner})", answer["value"], "answer.value")
    return schema.check_value(inner, answer, "answer")


def _json(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def conformance_report(schema: GraphSchema, exchanges: list[Exchange]) -> tuple[list[str], Counter[str]]:
    """Mismatches (one line each, counted once per method + path shape) and the beta calls."""
    problems: dict[str, str] = {}
    beta: Counter[str] = Counter()
    for exchange in exchanges:
        if not 200 <= exchange.status < 300:
            continue
        if exchange.path.startswith("/beta/"):
            beta[f"{exchange.method} {exchange.path}"] += 1
            continue
        for problem in check_exchange(schema, exchange):
            problems.setdefault(f"{exchange.method} {exchange.path.split('?')[0]}: {problem}", exchange.label())
    return sorted(problems), beta


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not RECORDER.exchanges:
        return
    path = csdl_path()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines: list[str]
    if path is None or not path.exists():
        lines = [f"Graph conformance: the CSDL was not found (looked at {[str(p) for p in CSDL_CANDIDATES]})."]
        problems = lines
        beta: Counter[str] = Counter()
    else:
        problems, beta = conformance_report(GraphSchema.load(path), RECORDER.exchanges)
        lines = [
            f"Graph conformance: {len(RECORDER.exchanges)} exchanges checked against {path.name}: "
            f"{len(problems)} mismatch(es)."
        ]
        lines += [f"  MISMATCH {p}" for p in problems]
        lines += [f"  beta (not in v1.0): {call} ×{count}" for call, count in sorted(beta.items())]
    if reporter is not None:
        reporter.write_sep("-", "Graph v1.0 conformance")
        for line in lines:
            reporter.write_line(line)
    if problems and session.exitstatus == 0:
        session.exitstatus = 1
