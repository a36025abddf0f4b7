"""The OpenID Connect client for staff sign-in (authlib): authorization code + PKCE, state and nonce.

Entra in production, the dev tenant in development, any OpenID provider by configuration alone
(OIDC_* settings). authlib checks the id token's signature against the provider's JWKS and its
`iss`, `aud`, `exp`, `iat` and `nonce`; `tid` and `oid` are checked here.
"""
from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError

from app.jobs.queue import redis_for

CLIENT_NAME = "oidc"
STATE_LIFETIME_SECONDS = 600
CLOCK_SKEW_SECONDS = 60


class SignInRefused(Exception):
    """Sign-in cannot complete; `reason` is what the person is told, `status` the HTTP status."""

    def __init__(self, reason: str, *, status: int = 400, detail: str = "") -> None:
        super().__init__(f"{reason} {detail}".strip())
        self.reason = reason
        self.status = status
        self.detail = detail


class StateStore:
    """Where authlib keeps a sign-in's state data (PKCE verifier, nonce, redirect URI): Redis.

    The browser's session only marks that the state is its own. Reading takes the entry away
    (GETDEL), so a state is good for one sign-in even if someone replays an old cookie.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app

    @staticmethod
    def _key(key: str) -> str:
        return f"mygov:oidc:{key}"

    def get(self, key: str) -> bytes | None:
        return redis_for(self.app).getdel(self._key(key))

    def set(self, key: str, value: str, expires_in: int) -> None:
        redis_for(self.app).set(self._key(key), value, ex=min(expires_in, STATE_LIFETIME_SECONDS))

    def delete(self, key: str) -> None:
        redis_for(self.app).delete(self._key(key))


def init_oidc(app: Flask) -> None:
    ca_bundle = app.config.get("OIDC_CA_BUNDLE")
    oauth = OAuth(app, cache=StateStore(app))
    oauth.register(
        CLIENT_NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_METADATA_URL"],
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": 15,
            # With a CA file of our own, REQUESTS_CA_BUNDLE must not replace it.
            **({"verify": ca_bundle, "trust_env": False} if ca_bundle else {}),
        },
    )


def oidc_client() -> Any:
    return current_app.extensions["authlib.integrations.flask_client"].create_client(CLIENT_NAME)


def begin_sign_in(redirect_uri: str) -> Any:
    """The redirect to the provider's authorize endpoint (state, nonce and PKCE are generated)."""
    try:
        return oidc_client().authorize_redirect(redirect_uri)
    except requests.RequestException as error:
        raise SignInRefused("The sign-in service could not be reached.", status=503, detail=str(error)) from error


def finish_sign_in() -> dict[str, Any]:
    """Redeem the code and return the validated id token's claims, or raise SignInRefused."""
    try:
        token = oidc_client().authorize_access_token(leeway=CLOCK_SKEW_SECONDS)
    except MismatchingStateError as error:
        raise SignInRefused(
            "This sign-in was already used or has expired.", detail="The state does not match a sign-in started here."
        ) from error
    except OAuthError as error:
        raise SignInRefused("The sign-in service refused the sign-in.", detail=error.description or error.error or "") \
            from error
    except JoseError as error:
        raise SignInRefused(
            "The answer from the sign-in service could not be verified.", detail=f"{type(error).__name__}: {error}"
        ) from error
    except requests.RequestException as error:
        raise SignInRefused("The sign-in service could not be reached.", status=503, detail=str(error)) from error
    claims = dict(token.get("userinfo") or {})
    if not claims:
        raise SignInRefused("The sign-in service did not send an id token.")
    return check_identity_claims(claims, current_app.config["OIDC_TENANT_ID"])


def check_identity_claims(claims: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    """A person is (tid, oid): both present, and the tenant the one this MyGov serves."""
    if str(claims.get("tid", "")).lower() != tenant_id.lower():
        raise SignInRefused(
            "This account belongs to another organisation.", status=403,
            detail=f"Accounts of tenant {claims.get('tid') or '(none)'} cannot sign in here.",
        )
    if not claims.get("oid"):
        raise SignInRefused("The sign-in service did not say who you are.", detail="The id token has no oid claim.")
    return claims


def end_session_url(post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session endpoint, or None when it has none (or cannot be reached)."""
    client = oidc_client()
    try:
        endpoint = client.load_server_metadata().get("end_session_endpoint")
    except requests.RequestException:
        return None
    if not endpoint:
        return None
    return client.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, client_id=client.client_id
    )["url"]
