"""Tokens the dev tenant issues (ID, app-only and delegated access tokens) and client authentication."""

from __future__ import annotations

import hmac
import time
import uuid
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from app.devtenant.context import GRAPH_APP_ID, GRAPH_RESOURCE, DevTenant
from app.devtenant.errors import OAuthError
from app.devtenant.jwt import InvalidToken, b64url_decode, unverified_parts
from app.devtenant.state import Client

TOKEN_LIFETIME = 3599
GROUPS_CLAIM_LIMIT = 200
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SERVICE_PRINCIPAL_NAMESPACE = uuid.UUID("0e5c1f4e-2b7a-4c61-8f1d-6a3b9d2e7c40")
PAIRWISE_SUBJECT_NAMESPACE = uuid.UUID("5d7f2a90-1c3e-4b6d-8e2f-4a1b3c5d7e9f")


def _times() -> dict[str, int]:
    now = int(time.time())
    return {"iat": now, "nbf": now, "exp": now + TOKEN_LIFETIME}


def service_principal_id(client_id: str) -> str:
    return str(uuid.uuid5(SERVICE_PRINCIPAL_NAMESPACE, client_id))


def id_token(ctx: DevTenant, user: dict[str, Any], client_id: str, nonce: str | None) -> str:
    state = ctx.state
    claims: dict[str, Any] = {
        "iss": ctx.issuer(),
        "aud": client_id,
        **_times(),
        "ver": "2.0",
        "tid": state.tenant_id,
        "oid": user["id"],
        "sub": str(uuid.uuid5(PAIRWISE_SUBJECT_NAMESPACE, f"{user['id']}:{client_id}")),
        "preferred_username": user.get("userPrincipalName"),
        "name": user.get("displayName"),
        "email": user.get("mail"),
        "sid": str(uuid.uuid4()),
        "uti": uuid.uuid4().hex[:22],
    }
    if nonce is not None:
        claims["nonce"] = nonce
    groups = sorted(g for g in state.transitive_groups(user["id"]) if state.groups[g].get("securityEnabled"))
    if len(groups) > GROUPS_CLAIM_LIMIT:
        # Entra's overage shape; the endpoint is the retired Azure AD Graph, as in the real claim.
        claims["_claim_names"] = {"groups": "src1"}
        claims["_claim_sources"] = {
            "src1": {
                "endpoint": f"https://graph.windows.net/{state.tenant_id}/users/{user['id']}/getMemberObjects"
            }
        }
    else:
        claims["groups"] = groups
    return ctx.signing_key.sign(claims)


def app_access_token(ctx: DevTenant, client: Client) -> str:
    principal = service_principal_id(client.client_id)
    return ctx.signing_key.sign(
        {
            "aud": GRAPH_RESOURCE,
            "iss": f"{ctx.root()}/{ctx.state.tenant_id}/",
            **_times(),
            "appid": client.client_id,
            "app_displayname": client.display_name,
            "idtyp": "app",
            "oid": principal,
            "sub": principal,
            "roles": list(client.app_roles),
            "tid": ctx.state.tenant_id,
            "ver": "1.0",
            "uti": uuid.uuid4().hex[:22],
        }
    )


def delegated_access_token(ctx: DevTenant, user: dict[str, Any], client_id: str, scopes: list[str]) -> str:
    return ctx.signing_key.sign(
        {
            "aud": GRAPH_APP_ID,
            "iss": f"{ctx.root()}/{ctx.state.tenant_id}/",
            **_times(),
            "appid": client_id,
            "idtyp": "user",
            "oid": user["id"],
            "sub": user["id"],
            "upn": user.get("userPrincipalName"),
            "name": user.get("displayName"),
            "scp": " ".join(s for s in scopes if s not in ("openid", "offline_access")) or "User.Read",
            "tid": ctx.state.tenant_id,
            "ver": "1.0",
            "uti": uuid.uuid4().hex[:22],
        }
    )


def unknown_client(ctx: DevTenant, client_id: str) -> OAuthError:
    return OAuthError(
        400,
        "unauthorized_client",
        700016,
        f"Application with identifier '{client_id}' was not found in the directory '{ctx.state.tenant_id}'. "
        "This can happen if the application has not been installed by the administrator of the tenant or "
        "consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
    )


def authenticate_client(
    ctx: DevTenant, form: dict[str, str], basic: tuple[str, str] | None, token_endpoint: str
) -> Client:
    """client_secret_post, HTTP Basic or private_key_jwt, answered with Entra's errors."""
    client_id = basic[0] if basic else form.get("client_id", "")
    if not client_id:
        raise OAuthError(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        )
    client = ctx.state.clients.get(client_id)
    if client is None:
        raise unknown_client(ctx, client_id)
    if form.get("client_assertion"):
        _verify_assertion(client, form, token_endpoint)
        return client
    secret = basic[1] if basic else form.get("client_secret")
    if not secret:
        raise OAuthError(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    if client.secret is None or not hmac.compare_digest(secret.encode(), client.secret.encode()):
        raise OAuthError(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
            f"not the client secret ID, for a secret added to app '{client.client_id}'.",
        )
    return client


def _verify_assertion(client: Client, form: dict[str, str], token_endpoint: str) -> None:
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise OAuthError(400, "invalid_request", 50027, "Invalid client_assertion_type; expected jwt-bearer.")
    assertion = form["client_assertion"]
    try:
        header, claims = unverified_parts(assertion)
    except InvalidToken:
        raise OAuthError(401, "invalid_client", 50027, "JWT token is invalid or malformed.") from None
    key = client.certificates.get(str(header.get("x5t#S256") or header.get("x5t") or "").rstrip("="))
    if key is None:
        raise OAuthError(
            401,
            "invalid_client",
            700027,
            "The certificate with identifier used to sign the client assertion is not registered on application.",
        )
    signing_input, _, signature = assertion.rpartition(".")
    chosen = (
        padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.AUTO)
        if header.get("alg") == "PS256"
        else padding.PKCS1v15()
    )
    try:
        assert isinstance(key, rsa.RSAPublicKey)
        key.verify(b64url_decode(signature), signing_input.encode(), chosen, hashes.SHA256())
    except (InvalidSignature, AssertionError, ValueError):
        raise OAuthError(
            401, "invalid_client", 700027, "Client assertion failed signature validation."
        ) from None
    if (
        claims.get("aud") != token_endpoint
        or claims.get("iss") != client.client_id
        or claims.get("sub") != client.client_id
    ):
        raise OAuthError(
            401, "invalid_client", 700021, "Client assertion audience, issuer or subject is not valid."
        )
    if not claims.get("exp", 0) > time.time() - 300:
        raise OAuthError(
            401, "invalid_client", 700024, "Client assertion is not within its valid time range."
        )
