"""What the embedded mode runs beside the web app in the same process."""
from __future__ import annotations

import logging
import os

from flask import Flask

log = logging.getLogger(__name__)


def start_embedded_services(app: Flask) -> None:
    """Start the in-process worker when no Redis is configured. Nothing runs in production."""
    if app.config["MYGOV_ENV"] == "production" or app.config["TESTING"]:
        return
    # Under the Werkzeug reloader only the serving child process starts background services.
    if os.environ.get("FLASK_RUN_FROM_CLI") and os.environ.get("FLASK_DEBUG") == "1":
        if os.environ.get("WERKZEUG_RUN_MAIN") != "true":
            return
    if app.config["EMBEDDED_QUEUE"]:
        from app.jobs.queue import start_embedded_worker

        start_embedded_worker(app)
        log.info("embedded worker started (in-process fakeredis)")
