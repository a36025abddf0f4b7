"""Staff sign-in against the dev tenant: OIDC code + PKCE with a validated id token, keyed by (tid, oid)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.access.models import AuditEntry, RoleAssignment
from app.auth.models import StaffSession
from app.auth.session import SESSION_TOKEN_KEY
from app.extensions import db
from app.people.models import Employee
from tests.auth.helpers import SIGNED_OUT
from tests.factories import csrf_headers

OLIVIA = "olivia.sutton@auburnal.gov"  # mygov-facilities-editor and mygov-reservations-approver


def _roles(employee: Employee) -> dict[str, str]:
    return {f"{a.module_key}.{a.role_key}": a.source for a in db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.employee_id == employee.id))}


def _employee(tenant_id: str, oid: str) -> Employee | None:
    return db.session.scalar(select(Employee).where(Employee.tenant_id == tenant_id, Employee.entra_oid == oid))


def test_first_sign_in_creates_the_employee_by_tenant_and_oid_and_seeds_roles_from_groups(app, dev_sign_in):
    client = app.test_client()
    response = dev_sign_in(client, OLIVIA)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    employee = _employee(app.config["ENTRA_TENANT_ID"], dev_sign_in.user_id(OLIVIA))
    assert employee is not None and employee.last_sign_in_at is not None
    assert employee.job_title == "Facility Reservations Coordinator"  # completed from Graph
    assert _roles(employee) == {"facilities.editor": "entra-seed", "reservations.approver": "entra-seed"}
    seeds = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "role.seed")).all()
    assert {s.after["role"] for s in seeds} == {"facilities.editor", "reservations.approver"}
    assert client.get("/staff/").status_code == 200


def test_the_employee_is_found_by_oid_even_when_mail_and_name_changed(app, dev_sign_in, tenant):
    oid = dev_sign_in.user_id(OLIVIA)
    dev_sign_in(app.test_client(), OLIVIA)
    tenant.server.control.update_user(oid, mail="o.sutton@auburnal.gov", displayName="Olivia Sutton-Reyes")
    assert dev_sign_in(app.test_client(), OLIVIA).status_code == 302
    people = db.session.scalars(select(Employee)).all()
    assert len(people) == 1 and people[0].mail == "o.sutton@auburnal.gov"
    assert people[0].legal_name == "Olivia Sutton-Reyes"


@pytest.mark.parametrize(("next_path", "lands_on"), [
    ("/staff/access/?q=ann", "/staff/access/?q=ann"),
    ("//evil.example/staff/", "/staff/"),
    ("https://evil.example/", "/staff/"),
    ("/\\evil.example", "/staff/"),
    ("javascript:alert(1)", "/staff/"),
    ("http:/evil.example", "/staff/"),
])
def test_after_sign_in_only_local_paths_are_followed(app, dev_sign_in, next_path, lands_on):
    from urllib.parse import quote

    response = dev_sign_in(app.test_client(), OLIVIA, quote(next_path, safe=""))
    assert response.headers["Location"] == lands_on


def test_a_staff_page_sends_an_anonymous_visitor_to_sign_in_and_back(app, dev_sign_in):
    client = app.test_client()
    start = client.get("/staff/ops/outbox")
    assert start.status_code == 302 and start.headers["Location"].startswith("/auth/login?next=")
    response = dev_sign_in(client, OLIVIA, "/staff/ops/outbox")
    assert response.headers["Location"] == "/staff/ops/outbox"


def test_sign_in_rotates_the_session_and_sets_safe_cookie_flags(app, dev_sign_in):
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session[SESSION_TOKEN_KEY] = "fixed-session-id"
    response = dev_sign_in(client, OLIVIA)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # Secure outside dev/test
    with client.session_transaction() as session:
        first = session[SESSION_TOKEN_KEY]
        assert "planted" not in session and first != "fixed-session-id"
    other = app.test_client()
    dev_sign_in(other, OLIVIA)
    with other.session_transaction() as session:
        assert session[SESSION_TOKEN_KEY] != first
    assert db.session.scalar(select(db.func.count()).select_from(StaffSession)) == 2


def test_the_authorize_request_uses_pkce_state_and_nonce(app, dev_sign_in):
    start = app.test_client().get("/auth/login")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43 and query["state"][0] and query["nonce"][0]
    assert query["scope"][0].split() == ["openid", "profile", "email"]


def test_sign_out_ends_the_session_everywhere_and_goes_through_the_end_session_endpoint(app, dev_sign_in):
    client = app.test_client()
    dev_sign_in(client, OLIVIA)
    stolen = client.get_cookie("session").value
    response = client.post("/auth/logout", headers=csrf_headers(client))
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path.endswith("/oauth2/v2.0/logout")
    assert parse_qs(location.query)["post_logout_redirect_uri"] == [SIGNED_OUT]
    assert client.get("/staff/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/staff/").status_code == 302  # the old cookie no longer names a live session
    assert db.session.scalar(select(StaffSession)).ended_at is not None


def test_sign_out_needs_the_csrf_token(app, dev_sign_in):
    client = app.test_client()
    dev_sign_in(client, OLIVIA)
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/staff/").status_code == 200


def test_disabling_an_account_ends_its_live_sessions(app, dev_sign_in):
    client = app.test_client()
    dev_sign_in(client, OLIVIA)
    employee = db.session.scalar(select(Employee))  # directory sync marks it disabled
    employee.account_enabled = False
    db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_sign_in_works_while_graph_is_down_and_keeps_existing_roles(app, dev_sign_in, tenant):
    client = app.test_client()
    dev_sign_in(client, OLIVIA)
    tenant.throttle(1.0, retry_after=0, status=503, path_prefix="/v1.0")
    second = app.test_client()
    try:
        response = dev_sign_in(second, OLIVIA)
    finally:
        tenant.clear_faults()
    assert response.status_code == 302
    assert "roles could not be refreshed from Entra" in second.get("/staff/").get_data(as_text=True)
    employee = db.session.scalar(select(Employee))
    assert set(_roles(employee)) == {"facilities.editor", "reservations.approver"}


def test_forms_may_post_only_here_and_the_sign_out_may_go_on_to_the_provider(app, tenant):
    csp = app.test_client().get("/").headers["Content-Security-Policy"]
    assert f"form-action 'self' {tenant.server.url};" in csp and "script-src 'self';" in csp


def test_a_session_expires_and_long_expired_ones_are_dropped(app, dev_sign_in):
    from datetime import timedelta

    from app.sqltypes import utcnow

    client = app.test_client()
    dev_sign_in(client, OLIVIA)
    row = db.session.scalar(select(StaffSession))
    row.expires_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert client.get("/staff/").status_code == 302
    dev_sign_in(client, OLIVIA)
    assert [r.id_hash for r in db.session.scalars(select(StaffSession))] != [row.id_hash]
    assert db.session.scalar(select(db.func.count()).select_from(StaffSession)) == 1


def test_sign_in_works_when_the_app_token_authority_cannot_be_trusted(app, dev_sign_in):
    """MSAL meets a certificate it cannot trust (SSLError) while the OIDC sign-in itself works."""
    import certifi

    app.config["GRAPH_CA_BUNDLE"] = certifi.where()  # public CAs: the dev tenant's local CA is not among them
    client = app.test_client()
    response = dev_sign_in(client, OLIVIA)
    assert response.status_code == 302
    assert "roles could not be refreshed from Entra" in client.get("/staff/").get_data(as_text=True)


def test_the_graph_client_reports_an_unreachable_authority_as_a_graph_error(app):
    from app.graph import GraphClient, GraphError, GraphSettings, users

    settings = GraphSettings.from_mapping(app.config, authority_host="https://127.0.0.1:9", max_attempts=1)
    with pytest.raises(GraphError) as unreachable:
        users.get_user(GraphClient(settings), "someone")
    assert unreachable.value.status == 0 and "could not be reached" in unreachable.value.message


def test_a_local_app_on_any_port_registers_its_own_sign_in_addresses_with_the_dev_tenant(app, tenant):
    from app.runtime import register_redirects_with_devtenant

    app.config.update(MYGOV_ENV="development", USE_DEVTENANT=True, ENTRA_AUTHORITY_HOST=tenant.server.url)
    callback = "http://127.0.0.1:5077/auth/callback"
    register_redirects_with_devtenant(app, callback, "http://127.0.0.1:5077/auth/signed-out")
    assert callback in tenant.server.control.register_redirect_uris()  # what it holds now
