"""App-only tokens from one MSAL ConfidentialClientApplication per process (contract §2).

The secret or certificate is read from the environment-derived settings and handed to MSAL; it is
never stored or logged. MSAL caches the token in memory and refreshes it before it expires.

MSAL asks the authority for its metadata when the application is built, so it is built on first
use, and an authority that cannot be reached or trusted is a GraphTransportError like any other
unreachable Graph host: callers that handle Graph being down handle this too.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import msal
import requests

from app.graph.errors import GraphAuthError, GraphTransportError
from app.graph.http import GraphHttpSession
from app.graph.settings import GRAPH_SCOPE, GraphSettings


class TokenProvider:
    def __init__(self, settings: GraphSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._msal: msal.ConfidentialClientApplication | None = None
        self.last_source: str | None = None

    def _app(self) -> msal.ConfidentialClientApplication:
        """Called with the lock held."""
        if self._msal is None:
            self._msal = self._unless_unreachable(self._build)
        return self._msal

    def _build(self) -> msal.ConfidentialClientApplication:
        settings = self.settings
        return msal.ConfidentialClientApplication(
            settings.client_id,
            authority=settings.authority,
            client_credential=_credential(settings),
            http_client=GraphHttpSession(settings.verify, settings.timeout_seconds),
            # Instance discovery asks login.microsoftonline.com about the authority; a local
            # stand-in is not in Microsoft's list, and a sovereign/private host need not be.
            instance_discovery=settings.is_microsoft_cloud,
        )

    def _unless_unreachable(self, call: Any) -> Any:
        try:
            return call()
        except requests.RequestException as error:
            raise GraphTransportError(
                f"the sign-in authority {self.settings.authority_host} could not be reached: {error}"
            ) from error

    def access_token(self) -> str:
        with self._lock:  # MSAL's cache is thread-safe, but one IdP round trip is enough
            app = self._app()
            result = self._unless_unreachable(lambda: app.acquire_token_for_client(scopes=[GRAPH_SCOPE]))
        if "access_token" not in result:
            raise GraphAuthError(
                str(result.get("error", "token_error")),
                str(result.get("error_description", "no access token returned")),
                correlation_id=result.get("correlation_id"),
            )
        self.last_source = result.get("token_source")
        return str(result["access_token"])

    def invalidate(self) -> None:
        """Drop cached app tokens, e.g. after a 401 (revoked or CAE challenge)."""
        with self._lock:
            if self._msal is not None:
                self._msal.remove_tokens_for_client()


def _credential(settings: GraphSettings) -> str | dict[str, Any]:
    if settings.cert_path and settings.cert_thumbprint:
        pem = Path(settings.cert_path).read_text()
        credential = {"private_key": pem, "thumbprint": settings.cert_thumbprint}
        if "-----BEGIN CERTIFICATE-----" in pem:  # sent as x5c; MSAL refuses a key-only file here
            credential["public_certificate"] = pem
        return credential
    if settings.client_secret:
        return settings.client_secret
    raise GraphAuthError("missing_credential", "set ENTRA_CLIENT_SECRET or a certificate path and thumbprint")
