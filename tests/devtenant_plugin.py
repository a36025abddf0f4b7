"""The dev tenant for tests: one HTTPS server per session, reset per test that asks for it.

def test_x(devtenant_clean):                 # state reset, faults cleared
    config = devtenant_config(devtenant_clean)  # MyGov overrides pointing at it
    devtenant_clean.control.set_faults(throttle_share=1.0, count=1)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from app.config import DEV_CLIENT_ID, DEV_CLIENT_SECRET
from app.devtenant.server import DevTenantServer
from tests.graph_conformance import record

# requests lets these variables override a Session's `verify` (MSAL sets `session.verify = verify`),
# so with them set MSAL would ignore `verify=ca_path`; the suite reaches no other HTTPS host.
CA_BUNDLE_OVERRIDES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


@pytest.fixture(scope="session")
def devtenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTenantServer]:
    saved = {name: os.environ.pop(name) for name in CA_BUNDLE_OVERRIDES if name in os.environ}
    server = DevTenantServer(port=0, cert_dir=tmp_path_factory.mktemp("devtenant"))
    record(server)  # every Graph exchange is checked against the v1.0 schema at the session's end
    try:
        yield server
    finally:
        server.stop()
        os.environ.update(saved)


@pytest.fixture
def devtenant_clean(devtenant: DevTenantServer) -> Iterator[DevTenantServer]:
    """The session's dev tenant, reset to its seed (faults, settings and app roles too)."""
    devtenant.control.reset()
    yield devtenant
    devtenant.control.clear_faults()


def devtenant_config(devtenant: DevTenantServer) -> dict[str, Any]:
    """MyGov settings that point the app at this dev tenant."""
    return {
        "ENTRA_AUTHORITY_HOST": devtenant.url,
        "ENTRA_TENANT_ID": devtenant.tenant_id,
        "ENTRA_CLIENT_ID": DEV_CLIENT_ID,
        "ENTRA_CLIENT_SECRET": DEV_CLIENT_SECRET,
        "GRAPH_BASE_URL": devtenant.graph_base_url,
        "GRAPH_CA_BUNDLE": devtenant.ca_path,
    }
