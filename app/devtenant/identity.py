"""The Entra-shaped sign-in endpoints (contract §1, §2) under `/{tenant}/...`.

MSAL with `instance_discovery=False` only fetches `{authority}/v2.0/.well-known/openid-configuration`
and then uses the endpoints it names, so that document is what makes MSAL work unmodified.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, render_template, request

from app.devtenant import claims
from app.devtenant.context import GRAPH_APP_ID, GRAPH_RESOURCE, DevTenant, tenant
from app.devtenant.errors import OAuthError
from app.devtenant.jwt import b64url

blueprint = Blueprint("identity", __name__)
CODE_LIFETIME = 600
AUTHORIZE_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "login_hint",
)


def _check_tenant(tenant_key: str) -> None:
    state = tenant().state
    if tenant_key.lower() not in (state.tenant_id, state.domain, "organizations"):
        raise OAuthError(
            400,
            "invalid_tenant",
            90002,
            f"Tenant '{tenant_key}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
        )


@blueprint.get("/<tenant_key>/v2.0/.well-known/openid-configuration")
def openid_configuration(tenant_key: str) -> dict[str, Any]:
    _check_tenant(tenant_key)
    ctx = tenant()
    base = f"{ctx.root()}/{ctx.state.tenant_id}"
    return {
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": ctx.issuer(),
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{ctx.root()}/oidc/userinfo",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "claims_supported": [
            "sub",
            "iss",
            "cloud_instance_name",
            "cloud_instance_host_name",
            "cloud_graph_host_name",
            "msgraph_host",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "acr",
            "nonce",
            "preferred_username",
            "name",
            "tid",
            "ver",
            "at_hash",
            "c_hash",
            "email",
        ],
        "code_challenge_methods_supported": ["plain", "S256"],
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }


@blueprint.get("/<tenant_key>/discovery/v2.0/keys")
def keys(tenant_key: str) -> dict[str, Any]:
    _check_tenant(tenant_key)
    return tenant().signing_key.jwks(tenant().issuer())


def _error_page(code: int, text: str, status: int = 400) -> tuple[str, int]:
    return render_template(
        "devtenant/message.html",
        heading="Sorry, but we're having trouble signing you in.",
        code=code,
        text=text,
        error=True,
    ), status


def _mygov_roles(ctx: DevTenant, user_id: str) -> list[str]:
    """The MyGov roles the user's groups seed at first sign-in ("mygov-calendars-editor" -> "calendars
    editor"), so whoever tries the app locally knows whom to sign in as."""
    names = (str(ctx.state.groups[g].get("displayName") or "") for g in ctx.state.transitive_groups(user_id)
             if g in ctx.state.groups)
    return sorted(name.removeprefix("mygov-").replace("-", " ", 1) for name in names if name.startswith("mygov-"))


def _redirect_with(
    redirect_uri: str, response_mode: str, params: dict[str, str]
) -> Response | tuple[str, int]:
    if response_mode == "form_post":
        return render_template("devtenant/form_post.html", redirect_uri=redirect_uri, params=params), 200
    separator = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{separator}{urlencode(params)}", code=302)


@blueprint.route("/<tenant_key>/oauth2/v2.0/authorize", methods=["GET", "POST"])
def authorize(tenant_key: str) -> Any:
    _check_tenant(tenant_key)
    ctx = tenant()
    source = request.form if request.method == "POST" else request.args
    params = {name: source[name] for name in AUTHORIZE_PARAMS if source.get(name)}
    client = ctx.state.clients.get(params.get("client_id", ""))
    if client is None:
        return _error_page(700016, claims.unknown_client(ctx, params.get("client_id", "")).description)
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        return _error_page(
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client.client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.",
        )
    response_mode = params.get("response_mode", "query")
    state_param = {"state": params["state"]} if "state" in params else {}
    failure = _authorize_request_error(params)
    if failure:
        return _redirect_with(redirect_uri, response_mode, {**failure, **state_param})
    if request.method == "GET":
        users = sorted(
            (u for u in ctx.state.users.values() if u.get("accountEnabled")),
            key=lambda u: u.get("displayName") or "",
        )
        hidden = {k: v for k, v in params.items() if k != "login_hint"}
        return render_template(
            "devtenant/authorize.html",
            client_name=client.display_name,
            tenant_name="the City of Auburn",
            action=request.path,
            params=hidden,
            users=users,
            roles={u["id"]: _mygov_roles(ctx, u["id"]) for u in users},
            login_hint=params.get("login_hint"),
        )
    user = ctx.state.users.get(request.form.get("user_id", ""))
    if user is None:
        return _error_page(50034, "The user account does not exist in this directory.")
    if not user.get("accountEnabled"):
        return _error_page(50057, "The user account is disabled.")
    code = secrets.token_urlsafe(48)
    ctx.state.auth_codes[code] = {
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "user_id": user["id"],
        "scope": params.get("scope", ""),
        "nonce": params.get("nonce"),
        "expires": time.time() + CODE_LIFETIME,
        "code_challenge": params.get("code_challenge"),
        "code_challenge_method": params.get("code_challenge_method", "plain"),
    }
    return _redirect_with(
        redirect_uri, response_mode, {"code": code, **state_param, "session_state": secrets.token_hex(16)}
    )


def _authorize_request_error(params: dict[str, str]) -> dict[str, str] | None:
    if params.get("response_type") != "code":
        return {
            "error": "unsupported_response_type",
            "error_description": "AADSTS700054: response_type must be 'code' for this application.",
        }
    if params.get("code_challenge_method", "plain") not in ("plain", "S256"):
        return {
            "error": "invalid_request",
            "error_description": "AADSTS501491: Invalid size of Code_Challenge parameter.",
        }
    if params.get("prompt") == "none":
        return {
            "error": "login_required",
            "error_description": "AADSTS50058: A silent sign-in request was sent but no user is signed in.",
        }
    return None


def _basic_credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    return client_id, secret


def _token_response(body: dict[str, Any]) -> Response:
    response = Response(json.dumps(body), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store, no-cache"
    return response


@blueprint.post("/<tenant_key>/oauth2/v2.0/token")
def token(tenant_key: str) -> Response:
    _check_tenant(tenant_key)
    ctx = tenant()
    form = request.form.to_dict()
    client = claims.authenticate_client(
        ctx, form, _basic_credentials(), f"{ctx.root()}/{ctx.state.tenant_id}/oauth2/v2.0/token"
    )
    grant_type = form.get("grant_type")
    if grant_type == "client_credentials":
        scope = form.get("scope", "")
        if scope not in (f"{GRAPH_RESOURCE}/.default", f"{GRAPH_APP_ID}/.default"):
            raise OAuthError(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
            )
        return _token_response(
            {
                "token_type": "Bearer",
                "expires_in": claims.TOKEN_LIFETIME,
                "ext_expires_in": claims.TOKEN_LIFETIME,
                "access_token": claims.app_access_token(ctx, client),
            }
        )
    if grant_type == "authorization_code":
        grant = _redeem_code(form, client.client_id)
    elif grant_type == "refresh_token":
        grant = ctx.state.refresh_tokens.get(form.get("refresh_token", ""))
        if grant is None or grant["client_id"] != client.client_id:
            raise OAuthError(
                400,
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid: the refresh token is not valid.",
            )
        grant = {**grant, "nonce": None}
    else:
        raise OAuthError(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant_type}'.",
        )
    return _token_response(_user_tokens(grant, client.client_id))


def _redeem_code(form: dict[str, str], client_id: str) -> dict[str, Any]:
    grant = tenant().state.auth_codes.pop(form.get("code", ""), None)  # single use
    if grant is None:
        raise OAuthError(
            400,
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed or is not valid, please retry with a new valid code.",
        )
    if grant["expires"] < time.time():
        raise OAuthError(
            400,
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity.",
        )
    if grant["client_id"] != client_id:
        raise OAuthError(
            400, "invalid_grant", 70000, "The provided authorization code was issued to a different client."
        )
    if form.get("redirect_uri") != grant["redirect_uri"]:
        raise OAuthError(
            400,
            "invalid_grant",
            50148,
            "The redirect_uri does not match the one used in the authorization request.",
        )
    challenge = grant["code_challenge"]
    if challenge:
        verifier = form.get("code_verifier", "")
        if grant["code_challenge_method"] == "S256":
            verifier = b64url(hashlib.sha256(verifier.encode()).digest())
        if not hmac.compare_digest(verifier, challenge):
            raise OAuthError(
                400,
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            )
    return grant


def _user_tokens(grant: dict[str, Any], client_id: str) -> dict[str, Any]:
    ctx = tenant()
    user = ctx.state.users.get(grant["user_id"])
    if user is None or not user.get("accountEnabled"):
        raise OAuthError(400, "invalid_grant", 50057, "The user account is disabled or was deleted.")
    scopes = grant["scope"].split()
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": " ".join(s for s in scopes if s not in ("openid", "offline_access")),
        "expires_in": claims.TOKEN_LIFETIME,
        "ext_expires_in": claims.TOKEN_LIFETIME,
        "access_token": claims.delegated_access_token(ctx, user, client_id, scopes),
        "client_info": b64url(json.dumps({"uid": user["id"], "utid": ctx.state.tenant_id}).encode()),
    }
    if "openid" in scopes:
        body["id_token"] = claims.id_token(ctx, user, client_id, grant.get("nonce"))
    if "offline_access" in scopes:
        refresh_token = secrets.token_urlsafe(64)
        ctx.state.refresh_tokens[refresh_token] = {
            "client_id": client_id,
            "user_id": user["id"],
            "scope": grant["scope"],
        }
        body["refresh_token"] = refresh_token
    return body


@blueprint.get("/<tenant_key>/oauth2/v2.0/logout")
def logout(tenant_key: str) -> Any:
    _check_tenant(tenant_key)
    target = request.args.get("post_logout_redirect_uri")
    registered = {uri for client in tenant().state.clients.values() for uri in client.redirect_uris}
    if target and target in registered:
        return redirect(target, code=302)
    return render_template(
        "devtenant/message.html",
        heading="You signed out of your account",
        text="It's a good idea to close all browser windows.",
        error=False,
    )


@blueprint.get("/oidc/userinfo")
def userinfo() -> tuple[dict[str, Any], int] | dict[str, Any]:
    ctx = tenant()
    _, _, bearer = request.headers.get("Authorization", "").partition(" ")
    try:
        token_claims = ctx.signing_key.verify(bearer)
    except ValueError:
        return {
            "error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure."}
        }, 401
    user = ctx.state.users.get(token_claims.get("oid", ""))
    if user is None or token_claims.get("idtyp") != "user":
        return {
            "error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure."}
        }, 401
    return {
        "sub": token_claims["sub"],
        "name": user.get("displayName"),
        "family_name": user.get("surname"),
        "given_name": user.get("givenName"),
        "email": user.get("mail"),
    }
