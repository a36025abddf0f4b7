"""Sign-in and app tokens: MSAL itself against the Entra-shaped endpoints, over real HTTPS."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from app.config import DEV_CLIENT_ID, DEV_CLIENT_SECRET
from app.devtenant.state import DEFAULT_APP_ROLES
from tests.certificates import make_app_certificate
from tests.devtenant.conftest import ADMIN_UPN, GRAPH_SCOPE, OVERAGE_UPN, msal_app

CALLBACK = "http://127.0.0.1:5000/auth/callback"


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.radios: list[str] = []
        self.h1_count = 0
        self.labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.action = html.unescape(values.get("action") or "")
        elif tag == "input" and values.get("type") == "hidden":
            self.fields[values["name"] or ""] = values.get("value") or ""
        elif tag == "input" and values.get("type") == "radio":
            self.radios.append(values.get("value") or "")
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "label":
            self.labels += 1


def _parse(page: str) -> _Forms:
    forms = _Forms()
    forms.feed(page)
    return forms


def _token_request(tenant, auth: tuple[str, str] | None = None, **form: str) -> requests.Response:
    """A raw POST to the token endpoint, with the dev client's secret in the form unless `auth` is given."""
    if auth is None:
        form = {"client_id": DEV_CLIENT_ID, "client_secret": DEV_CLIENT_SECRET, **form}
    return requests.post(
        f"{tenant.authority}/oauth2/v2.0/token", auth=auth, data=form, verify=tenant.ca_path, timeout=30
    )


def _decode(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _sign_in(tenant, flow: dict, upn: str) -> dict[str, str]:
    """Drive the authorize page as a browser would; return what comes back to the redirect URI."""
    page = requests.get(flow["auth_uri"], verify=tenant.ca_path, timeout=30)
    assert page.status_code == 200
    form = _parse(page.text)
    user_id = tenant.control.user(upn)["id"]
    assert user_id in form.radios
    answer = requests.post(
        tenant.url + form.action,
        data={**form.fields, "user_id": user_id},
        verify=tenant.ca_path,
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code == 302:
        return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
    posted = _parse(answer.text)
    assert answer.status_code == 200 and posted.action == flow["redirect_uri"]
    return posted.fields


def test_msal_client_credentials_gets_an_app_token_with_the_consented_roles(tenant):
    result = msal_app(tenant).acquire_token_for_client(scopes=GRAPH_SCOPE)
    assert result["token_type"] == "Bearer" and result["expires_in"] == 3599
    claims = _decode(result["access_token"])
    assert claims["aud"] == "https://graph.microsoft.com"
    assert claims["tid"] == tenant.tenant_id and claims["appid"] == DEV_CLIENT_ID
    assert sorted(claims["roles"]) == sorted(DEFAULT_APP_ROLES)
    assert claims["exp"] - claims["iat"] == 3599


def test_wrong_client_secret_fails_like_entra(tenant):
    result = msal_app(tenant, credential="not-the-secret").acquire_token_for_client(scopes=GRAPH_SCOPE)
    assert result["error"] == "invalid_client"
    assert result["error_description"].startswith("AADSTS7000215: Invalid client secret provided")
    assert result["error_codes"] == [7000215]
    raw = _token_request(tenant, client_secret="nope", grant_type="client_credentials", scope=GRAPH_SCOPE[0])
    assert raw.status_code == 401


def test_unknown_client_and_bad_scope_are_refused(tenant):
    unknown = msal_app(tenant, client_id="11111111-2222-3333-4444-555555555555").acquire_token_for_client(
        scopes=GRAPH_SCOPE
    )
    assert unknown["error_codes"] == [700016]
    bad_scope = _token_request(tenant, grant_type="client_credentials", scope="User.Read")
    assert bad_scope.status_code == 400 and bad_scope.json()["error"] == "invalid_scope"


def test_client_secret_in_http_basic_is_accepted(tenant):
    answer = _token_request(
        tenant, auth=(DEV_CLIENT_ID, DEV_CLIENT_SECRET), grant_type="client_credentials", scope=GRAPH_SCOPE[0]
    )
    assert answer.status_code == 200 and answer.json()["access_token"]


@pytest.mark.parametrize("send_public_certificate", [False, True], ids=["x5t-RS256", "x5t#S256-PS256"])
def test_certificate_credential_private_key_jwt(tenant, send_public_certificate):
    app_certificate = make_app_certificate()
    certificate_pem = app_certificate.certificate_pem
    credential = {"private_key": app_certificate.key_pem, "thumbprint": app_certificate.thumbprint}
    if send_public_certificate:
        credential["public_certificate"] = certificate_pem
    unregistered = msal_app(tenant, credential=credential).acquire_token_for_client(scopes=GRAPH_SCOPE)
    assert unregistered["error"] == "invalid_client"
    tenant.control.register_client_certificate(certificate_pem)
    result = msal_app(tenant, credential=credential).acquire_token_for_client(scopes=GRAPH_SCOPE)
    assert "access_token" in result, result


@pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")
@pytest.mark.parametrize("response_mode", ["query", "form_post"])
def test_auth_code_flow_with_pkce_gives_an_id_token_with_nonce_and_groups(tenant, response_mode):
    app = msal_app(tenant)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=CALLBACK, response_mode=response_mode)
    assert "code_challenge_method=S256" in flow["auth_uri"]
    returned = _sign_in(tenant, flow, ADMIN_UPN)
    assert returned["state"] == flow["state"]
    result = app.acquire_token_by_auth_code_flow(flow, returned)  # MSAL checks state and the nonce hash
    claims = result["id_token_claims"]
    admin = tenant.control.user(ADMIN_UPN)
    platform_admin = next(g for g in tenant.control.groups() if g["displayName"] == "mygov-platform-admin")
    assert claims["iss"] == f"{tenant.url}/{tenant.tenant_id}/v2.0" and claims["aud"] == DEV_CLIENT_ID
    assert claims["oid"] == admin["id"] and claims["tid"] == tenant.tenant_id and claims["ver"] == "2.0"
    assert (
        claims["preferred_username"] == ADMIN_UPN
        and claims["email"] == ADMIN_UPN
        and claims["name"] == "Morgan Reyes"
    )
    assert claims["nonce"] == hashlib.sha256(flow["nonce"].encode()).hexdigest()
    assert claims["nbf"] <= claims["iat"] < claims["exp"]
    assert platform_admin["id"] in claims["groups"]
    assert result["refresh_token"]
    _assert_signed_by_jwks(tenant, result["id_token"])


def _assert_signed_by_jwks(tenant, token: str) -> None:
    config = requests.get(
        f"{tenant.authority}/v2.0/.well-known/openid-configuration", verify=tenant.ca_path, timeout=30
    ).json()
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    jwk = next(
        k
        for k in requests.get(config["jwks_uri"], verify=tenant.ca_path, timeout=30).json()["keys"]
        if k["kid"] == header["kid"]
    )
    number = lambda text: int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")  # noqa: E731
    public_key = rsa.RSAPublicNumbers(number(jwk["e"]), number(jwk["n"])).public_key()
    signing_input, _, signature = token.rpartition(".")
    public_key.verify(
        base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
        signing_input.encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )


def test_user_in_more_than_200_groups_gets_the_overage_claim(tenant):
    app = msal_app(tenant)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=CALLBACK, response_mode="form_post")
    claims = app.acquire_token_by_auth_code_flow(flow, _sign_in(tenant, flow, OVERAGE_UPN))["id_token_claims"]
    assert "groups" not in claims
    assert claims["_claim_names"] == {"groups": "src1"}
    assert claims["_claim_sources"]["src1"]["endpoint"].startswith("https://graph.windows.net/")


def _authorize_url(tenant, redirect_uri: str, **extra: str) -> str:
    params = {
        "client_id": DEV_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": "openid profile",
        "state": "s1",
        **extra,
    }
    return f"{tenant.authority}/oauth2/v2.0/authorize?{urlencode(params)}"


def test_authorize_page_is_an_accessible_form(tenant):
    page = requests.get(_authorize_url(tenant, CALLBACK), verify=tenant.ca_path, timeout=30)
    form = _parse(page.text)
    assert '<html lang="en">' in page.text and form.h1_count == 1
    assert form.radios and form.labels == len(form.radios)
    disabled = tenant.control.user("joe.sikes@auburnal.gov")
    assert disabled["accountEnabled"] is False and disabled["id"] not in form.radios


def test_unregistered_redirect_uri_is_refused_without_redirecting(tenant):
    page = requests.get(
        _authorize_url(tenant, "https://evil.example/callback"),
        verify=tenant.ca_path,
        allow_redirects=False,
        timeout=30,
    )
    assert page.status_code == 400 and "Location" not in page.headers and "AADSTS50011" in page.text
    unknown = requests.get(
        _authorize_url(tenant, CALLBACK).replace(DEV_CLIENT_ID, "00000000-0000-0000-0000-00000000beef"),
        verify=tenant.ca_path,
        timeout=30,
    )
    assert unknown.status_code == 400 and "AADSTS700016" in unknown.text


def test_redirect_uri_registered_through_control_works(tenant):
    callback = "http://127.0.0.1:54321/auth/callback"
    tenant.control.register_redirect_uris(callback)
    app = msal_app(tenant)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=callback, response_mode="form_post")
    assert "id_token_claims" in app.acquire_token_by_auth_code_flow(flow, _sign_in(tenant, flow, ADMIN_UPN))


def test_code_needs_the_pkce_verifier_and_is_single_use(tenant):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()

    def new_code() -> str:
        url = _authorize_url(
            tenant, CALLBACK, code_challenge=challenge, code_challenge_method="S256", nonce="n-1"
        )
        form = _parse(requests.get(url, verify=tenant.ca_path, timeout=30).text)
        answer = requests.post(
            tenant.url + form.action,
            data={**form.fields, "user_id": tenant.control.user(ADMIN_UPN)["id"]},
            verify=tenant.ca_path,
            allow_redirects=False,
            timeout=30,
        )
        return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]

    def redeem(code: str, code_verifier: str) -> requests.Response:
        return _token_request(
            tenant,
            grant_type="authorization_code",
            code=code,
            redirect_uri=CALLBACK,
            code_verifier=code_verifier,
            scope="openid profile",
        )

    wrong = redeem(new_code(), "not-the-verifier")
    assert (
        wrong.status_code == 400
        and wrong.json()["error"] == "invalid_grant"
        and wrong.json()["error_codes"] == [501481]
    )
    code = new_code()
    first = redeem(code, verifier)
    assert first.status_code == 200 and _decode(first.json()["id_token"])["nonce"] == "n-1"
    again = redeem(code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_logout_redirects_only_to_a_registered_uri(tenant):
    logout = f"{tenant.authority}/oauth2/v2.0/logout"
    registered = requests.get(
        logout,
        params={"post_logout_redirect_uri": CALLBACK},
        verify=tenant.ca_path,
        allow_redirects=False,
        timeout=30,
    )
    assert registered.status_code == 302 and registered.headers["Location"] == CALLBACK
    other = requests.get(
        logout,
        params={"post_logout_redirect_uri": "https://evil.example/"},
        verify=tenant.ca_path,
        allow_redirects=False,
        timeout=30,
    )
    assert other.status_code == 200 and "signed out" in other.text


def test_refresh_token_grant_and_userinfo(tenant):
    app = msal_app(tenant)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=CALLBACK, response_mode="form_post")
    result = app.acquire_token_by_auth_code_flow(flow, _sign_in(tenant, flow, ADMIN_UPN))
    refreshed = _token_request(
        tenant, grant_type="refresh_token", refresh_token=result["refresh_token"], scope="openid profile User.Read"
    )
    assert refreshed.status_code == 200 and _decode(refreshed.json()["access_token"])["scp"]
    userinfo = requests.get(
        f"{tenant.url}/oidc/userinfo",
        headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"},
        verify=tenant.ca_path,
        timeout=30,
    )
    assert userinfo.json()["email"] == ADMIN_UPN


def test_prompt_none_cannot_be_silent(tenant):
    url = _authorize_url(tenant, CALLBACK, prompt="none")
    answer = requests.get(url, verify=tenant.ca_path, allow_redirects=False, timeout=30)
    returned = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert (
        answer.status_code == 302 and returned["error"] == ["login_required"] and returned["state"] == ["s1"]
    )


def test_the_sign_in_page_shows_each_demo_users_mygov_roles(tenant):
    import re

    page = requests.get(_authorize_url(tenant, CALLBACK), verify=tenant.ca_path, timeout=30).text
    olivia = re.search(r"Olivia Sutton.*?</label>", page, re.S).group(0)
    assert "MyGov roles: facilities editor, reservations approver" in olivia
    assert "no MyGov role" in page  # most employees hold none
