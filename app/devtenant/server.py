"""`DevTenantServer`: the dev tenant over HTTPS on 127.0.0.1, in a daemon thread."""

from __future__ import annotations

import logging
import ssl
import threading
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from app.config import INSTANCE_DIR
from app.devtenant.app import create_devtenant_app, refuse_production
from app.devtenant.context import DevTenant
from app.devtenant.control import DevTenantControl
from app.devtenant.seed import DEFAULT_SEED
from app.devtenant.state import TenantState
from app.devtenant.tls import ensure_tls_files

DEFAULT_CERT_DIR = INSTANCE_DIR / "devtenant"
request_log = logging.getLogger("app.devtenant.requests")


class DevTenantRequestHandler(WSGIRequestHandler):
    """The dev tenant's access log goes to its own logger, apart from the app's (`werkzeug`)."""

    def log(self, type: str, message: str, *args: object) -> None:  # noqa: A002 (werkzeug's name)
        getattr(request_log, type if type in ("info", "warning", "error") else "info")(
            "%s - %s", self.address_string(), message % args
        )


class DevTenantServer:
    """Starts serving on construction; `port=0` picks a free port (see `url`)."""

    def __init__(
        self,
        port: int = 0,
        cert_dir: Path = DEFAULT_CERT_DIR,
        seed: Path = DEFAULT_SEED,
        host: str = "127.0.0.1",
        state: TenantState | None = None,
    ) -> None:
        refuse_production()
        cert_dir = Path(cert_dir)
        files = ensure_tls_files(cert_dir)
        self.ca_path = str(files.ca)
        self.app = create_devtenant_app(seed_path=Path(seed), cert_dir=cert_dir, state=state)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(files.cert, files.key)
        self._server = make_server(host, port, self.app, threaded=True, ssl_context=context,
                                   request_handler=DevTenantRequestHandler)
        self.url = f"https://{host}:{self._server.server_port}"
        self.tenant.base_url = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, name="devtenant", daemon=True)
        self._thread.start()
        self.control = DevTenantControl(self.url, self.ca_path)

    @property
    def tenant(self) -> DevTenant:
        return self.app.extensions["devtenant"]

    @property
    def tenant_id(self) -> str:
        return self.tenant.state.tenant_id

    @property
    def authority(self) -> str:
        return f"{self.url}/{self.tenant_id}"

    @property
    def graph_base_url(self) -> str:
        return f"{self.url}/v1.0"

    def serve_forever(self) -> None:
        """Block until interrupted (for `python -m app.devtenant`)."""
        self._thread.join()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
