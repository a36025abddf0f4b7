"""What the embedded mode runs beside the web app in the same process."""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from flask import Flask

log = logging.getLogger(__name__)


def start_embedded_services(app: Flask) -> None:
    """Start the in-process worker when no Redis is configured. Nothing runs in production."""
    if app.config["MYGOV_ENV"] == "production" or app.config["TESTING"] or not _serving():
        return
    # Under the Werkzeug reloader only the serving child process starts background services.
    if os.environ.get("FLASK_RUN_FROM_CLI") and os.environ.get("FLASK_DEBUG") == "1":
        if os.environ.get("WERKZEUG_RUN_MAIN") != "true":
            return
    if app.config["USE_DEVTENANT"]:
        _start_devtenant()
    if app.config["EMBEDDED_QUEUE"]:
        from app.jobs.queue import start_embedded_worker

        start_embedded_worker(app)
        log.info("embedded worker started (in-process fakeredis)")


def _start_devtenant() -> None:
    """The dev tenant on https://127.0.0.1:5443, unless one is already serving there."""
    from app.devtenant import DevTenantServer

    try:
        server = DevTenantServer(port=5443)
    except (OSError, SystemExit) as error:  # port taken: `python -m app.devtenant` or another `make run`
        log.info("dev tenant not started here (%s); using the one on port 5443", error)
        return
    log.info("dev tenant serving %s (tenant %s)", server.url, server.tenant_id)


def _serving() -> bool:
    """`flask run` or a WSGI server; not `flask db upgrade`, `flask mygov ...` and other commands."""
    program = Path(sys.argv[0])
    flask_cli = program.name == "flask" or program.parent.name == "flask"  # script, or python -m flask
    return not flask_cli or "run" in sys.argv[1:]
