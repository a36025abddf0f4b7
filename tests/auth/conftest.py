"""Sign-in fixtures: the dev tenant (Entra-shaped) and an independent OpenID provider (npm oidc-provider)."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.devtenant import DevTenantServer, claims as devtenant_claims
from tests.auth.helpers import CALLBACK, SIGNED_OUT, b64url_json, jwt_parts, sign_in_through
from tests.conftest import make_test_app
from tests.graph_tenant import Tenant

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
PROVIDER_TENANT = "5b0c9e2a-1f3d-4e6a-8b7c-0d1e2f3a4b5c"
FOREIGN_TENANT = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
CALENDAR_EDITORS = "5aaf0f48-14a4-56d4-8b9b-0fcc4aeecdbc"  # the dev tenant's mygov-calendars-editor


class DevTenantSignIn:
    """Signs a test client in through the dev tenant's authorize page, choosing a demo user."""

    def __init__(self, server: DevTenantServer) -> None:
        self.server = server
        server.control.register_redirect_uris(CALLBACK, SIGNED_OUT)

    def http(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        session.verify = self.server.ca_path
        return session

    def user_id(self, upn: str) -> str:
        return self.server.control.user(upn)["id"]

    def __call__(self, client: FlaskClient, upn: str, next_path: str | None = None) -> TestResponse:
        return self.with_callback(client, upn, next_path)[0]

    def with_callback(self, client: FlaskClient, upn: str, next_path: str | None = None) -> tuple[TestResponse, str]:
        user_id = self.user_id(upn)
        return sign_in_through(client, lambda page: {"user_id": user_id}, self.http(), next_path)


@pytest.fixture
def dev_sign_in(tenant: Tenant) -> DevTenantSignIn:
    return DevTenantSignIn(tenant.server)


@pytest.fixture
def forge_id_tokens(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Change the id tokens the dev tenant issues: `change(claims)` edits them; re-signed by the
    tenant's own key unless `resign=False`, which keeps the original signature (a tampered token)."""

    def install(change: Callable[[dict[str, Any]], None], resign: bool = True) -> None:
        original = devtenant_claims.id_token

        def forged(ctx: Any, user: dict[str, Any], client_id: str, nonce: str | None) -> str:
            token = original(ctx, user, client_id, nonce)
            header, payload, signature = jwt_parts(token)
            change(payload)
            if resign:
                return ctx.signing_key.sign(payload)
            return f"{token.split('.')[0]}.{b64url_json(payload)}.{signature}"

        monkeypatch.setattr(devtenant_claims, "id_token", forged)

    return install


@dataclass
class IndependentProvider:
    issuer: str
    client_id: str
    client_secret: str
    accounts: dict[str, dict[str, Any]]

    @property
    def config(self) -> dict[str, str]:
        """The only settings that differ from the dev tenant's sign-in."""
        return {
            "OIDC_METADATA_URL": f"{self.issuer}/.well-known/openid-configuration",
            "OIDC_CLIENT_ID": self.client_id, "OIDC_CLIENT_SECRET": self.client_secret,
            "OIDC_TENANT_ID": PROVIDER_TENANT,
        }

    def http(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        return session

    def sign_in(self, client: FlaskClient, login: str, next_path: str | None = None) -> TestResponse:
        return sign_in_through(client, lambda page: {"login": login, "password": "any"}, self.http(), next_path)[0]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndependentProvider]:
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("npm oidc-provider is not installed: run `npm ci` (make test does it)")
    accounts = {
        "ann.city": {"tid": PROVIDER_TENANT, "oid": str(uuid.uuid4()), "name": "Ann City",
                     "email": "ann.city@example.org", "groups": [CALENDAR_EDITORS]},
        "fred.foreign": {"tid": FOREIGN_TENANT, "oid": str(uuid.uuid4()), "name": "Fred Foreign",
                         "email": "fred@elsewhere.example", "groups": []},
    }
    settings = {"client_id": "mygov-test", "client_secret": secrets.token_urlsafe(24), "accounts": accounts}
    log = (tmp_path_factory.mktemp("oidc-provider") / "provider.log").open("w")
    process = subprocess.Popen(
        ["node", str(PROVIDER_SCRIPT)], cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
        env={**os.environ, "MYGOV_TEST_OIDC": json.dumps(settings)},
    )
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=30)
    try:
        if not line or not line[0]:
            pytest.fail(f"oidc-provider did not start; see {log.name}")
        issuer = json.loads(line[0])["issuer"]
        yield IndependentProvider(issuer, settings["client_id"], settings["client_secret"], accounts)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def provider_flask_app(oidc_provider: IndependentProvider, database_url: str, devtenant: DevTenantServer,
                       migrated_app: Flask) -> Flask:
    """MyGov configured for the independent provider: the OIDC_* settings change, nothing else."""
    return make_test_app(database_url, **Tenant(devtenant).graph_config, **oidc_provider.config)


@pytest.fixture
def provider_app(app: Flask, provider_flask_app: Flask) -> Iterator[Flask]:
    with provider_flask_app.app_context():
        yield provider_flask_app
