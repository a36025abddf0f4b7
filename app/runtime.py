"""What the embedded mode runs beside the web app in the same process."""
from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path

import requests
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
        _start_devtenant(int(app.config["DEVTENANT_PORT"]))
    if app.config["EMBEDDED_QUEUE"]:
        from app.jobs.queue import start_embedded_worker

        start_embedded_worker(app)
        log.info("embedded worker started (in-process fakeredis)")


def _start_devtenant(port: int) -> None:
    """The dev tenant on https://127.0.0.1:DEVTENANT_PORT, unless one is already serving there."""
    from app.devtenant import DevTenantServer
    from app.devtenant.server import DEFAULT_CERT_DIR, request_log

    # Its access log goes to its own file, so the console shows the app's requests only.
    DEFAULT_CERT_DIR.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(DEFAULT_CERT_DIR / "requests.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    request_log.addHandler(handler)
    request_log.propagate = False
    try:
        server = DevTenantServer(port=port)
    except (OSError, SystemExit) as error:  # port taken: `python -m app.devtenant` or another `make run`
        log.info("dev tenant not started here (%s); using the one on port %s", error, port)
        return
    log.info("dev tenant serving %s (tenant %s)", server.url, server.tenant_id)


def _serving() -> bool:
    """`flask run` or a WSGI server; not `flask db upgrade`, `flask mygov ...` and other commands."""
    program = Path(sys.argv[0])
    flask_cli = program.name == "flask" or program.parent.name == "flask"  # script, or python -m flask
    return not flask_cli or "run" in sys.argv[1:]


_registered_redirects: set[str] = set()
_registering = threading.Lock()


def register_redirects_with_devtenant(app: Flask, *uris: str) -> None:
    """Tell the dev tenant this app's sign-in addresses, for whatever host and port it is served on,
    as an admin would add them to the app registration in Entra. Development with the dev tenant only."""
    if app.config["MYGOV_ENV"] != "development" or not app.config["USE_DEVTENANT"]:
        return
    with _registering:
        missing = [uri for uri in uris if uri not in _registered_redirects]
        if not missing:
            return
        from app.devtenant.control import DevTenantControl

        control = DevTenantControl(app.config["ENTRA_AUTHORITY_HOST"], app.config["GRAPH_CA_BUNDLE"])
        try:
            control.register_redirect_uris(*missing, client_id=app.config["ENTRA_CLIENT_ID"])
        except requests.RequestException as error:  # sign-in then says the service could not be reached
            log.warning("could not register %s with the dev tenant: %s", ", ".join(missing), error)
            return
        _registered_redirects.update(missing)
