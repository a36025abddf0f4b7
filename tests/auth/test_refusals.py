"""Sign-ins that must fail: another tenant, a replayed state, a tampered or expired id token, a wrong nonce.

Each is refused with a page that says so, and leaves no Employee and no session behind.
"""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.auth.models import StaffSession
from app.extensions import db
from app.people.models import Employee
from tests.auth.conftest import FOREIGN_TENANT
from app.devtenant import claims as devtenant_claims
from app.devtenant.jwt import SigningKey
from tests.auth.helpers import jwt_parts, local

MORGAN = "morgan.reyes@auburnal.gov"


def _nothing_signed_in(client) -> None:
    assert db.session.scalar(select(func.count()).select_from(Employee)) == 0
    assert db.session.scalar(select(func.count()).select_from(StaffSession)) == 0
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize(("change", "resign", "status", "says"), [
    (lambda claims: claims.update(tid=FOREIGN_TENANT), True, 403, "belongs to another organisation"),
    (lambda claims: claims.update(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200,
                                  nbf=int(time.time()) - 7200), True, 400, "could not be verified"),
    (lambda claims: claims.update(oid="00000000-0000-0000-0000-000000000001"), False, 400, "could not be verified"),
    (lambda claims: claims.update(nonce="not-the-nonce-we-sent"), True, 400, "could not be verified"),
    (lambda claims: claims.update(aud="some-other-app"), True, 400, "could not be verified"),
    (lambda claims: claims.update(iss="https://login.microsoftonline.com/other/v2.0"), True, 400,
     "could not be verified"),
    (lambda claims: claims.pop("oid"), True, 400, "did not say who you are"),
], ids=["foreign-tenant", "expired", "tampered", "wrong-nonce", "wrong-audience", "wrong-issuer", "no-oid"])
def test_a_bad_id_token_is_refused(app, dev_sign_in, forge_id_tokens, change, resign, status, says):
    forge_id_tokens(change, resign=resign)
    client = app.test_client()
    response = dev_sign_in(client, MORGAN)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert "We could not sign you in" in page and says in page
    _nothing_signed_in(client)


@pytest.mark.parametrize("same_kid", [True, False], ids=["claims-the-real-kid", "unknown-kid"])
def test_a_token_signed_by_another_key_is_refused(app, dev_sign_in, monkeypatch, same_kid):
    forger = SigningKey(None)  # a fresh RSA key, not the tenant's
    original = devtenant_claims.id_token

    def forged(ctx, user, client_id, nonce):
        if same_kid:
            forger.kid = ctx.signing_key.kid
        return forger.sign(jwt_parts(original(ctx, user, client_id, nonce))[1])

    monkeypatch.setattr(devtenant_claims, "id_token", forged)
    client = app.test_client()
    response = dev_sign_in(client, MORGAN)
    assert response.status_code == 400 and "could not be verified" in response.get_data(as_text=True)
    _nothing_signed_in(client)


def test_a_replayed_state_is_refused(app, dev_sign_in):
    client = app.test_client()
    first, callback_url = dev_sign_in.with_callback(client, MORGAN)
    assert first.status_code == 302
    replay = client.get(local(callback_url))
    assert replay.status_code == 400 and "already used or has expired" in replay.get_data(as_text=True)


def test_a_state_from_another_browser_is_refused(app, dev_sign_in):
    """The callback of someone else's sign-in (a login CSRF) does not sign this browser in."""
    victim = app.test_client()
    attacker = app.test_client()
    attacker.get("/auth/login")  # the attacker's browser started a sign-in; its state is not the victim's
    _, callback_url = dev_sign_in.with_callback(app.test_client(), MORGAN)  # consumed by its own client
    response = victim.get(local(callback_url))
    assert response.status_code == 400
    assert victim.get("/staff/").status_code == 302


def test_an_error_from_the_provider_is_shown_plainly(app):
    client = app.test_client()
    client.get("/auth/login")
    response = client.get("/auth/callback?error=access_denied&error_description=AADSTS65004%3A+User+declined")
    assert response.status_code == 400
    assert "refused the sign-in" in response.get_data(as_text=True)
