"""The same sign-in against npm oidc-provider: another issuer, tenant id and keys, configuration only."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from app.access.models import GroupMapping, RoleAssignment
from app.access.services import sync_registry
from app.extensions import db
from app.jobs.models import GraphOperation
from app.people.models import Employee
from tests.auth.conftest import CALENDAR_EDITORS, PROVIDER_TENANT
from tests.auth.helpers import SIGNED_OUT, local
from tests.factories import csrf_headers


def test_sign_in_creates_the_employee_by_tenant_and_oid_and_seeds_roles(provider_app, oidc_provider):
    sync_registry()
    db.session.add(GroupMapping(module_key="calendars", role_key="editor", group_name="mygov-calendars-editor",
                                group_object_id=CALENDAR_EDITORS))
    db.session.commit()
    client = provider_app.test_client()
    response = oidc_provider.sign_in(client, "ann.city", "/staff/access/")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/access/"
    ann = oidc_provider.accounts["ann.city"]
    employee = db.session.scalar(select(Employee).where(Employee.entra_oid == ann["oid"]))
    assert employee.tenant_id == PROVIDER_TENANT and employee.legal_name == "Ann City"
    assert employee.mail == "ann.city@example.org"
    assignment = db.session.scalar(select(RoleAssignment).where(RoleAssignment.employee_id == employee.id))
    assert (assignment.module_key, assignment.role_key, assignment.source) == ("calendars", "editor", "entra-seed")
    assert client.get("/staff/").status_code == 200
    assert db.session.scalar(select(GraphOperation)) is None  # no Graph writes for another tenant's people


def test_an_account_of_another_tenant_is_refused(provider_app, oidc_provider):
    client = provider_app.test_client()
    response = oidc_provider.sign_in(client, "fred.foreign")
    assert response.status_code == 403
    assert "belongs to another organisation" in response.get_data(as_text=True)
    assert db.session.scalar(select(Employee)) is None
    assert client.get("/staff/").status_code == 302


def test_a_replayed_state_is_refused(provider_app, oidc_provider):
    client = provider_app.test_client()
    start = client.get("/auth/login")
    from tests.auth.helpers import through_provider

    callback_url = through_provider(start.headers["Location"], lambda page: {"login": "ann.city", "password": "x"},
                                    oidc_provider.http())
    assert client.get(local(callback_url)).status_code == 302
    assert client.get(local(callback_url)).status_code == 400


def test_sign_out_goes_through_the_providers_end_session_endpoint(provider_app, oidc_provider):
    client = provider_app.test_client()
    oidc_provider.sign_in(client, "ann.city")
    response = client.post("/auth/logout", headers=csrf_headers(client))
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == oidc_provider.issuer
    assert location.path == "/session/end"
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == [SIGNED_OUT] and query["client_id"] == [oidc_provider.client_id]
    assert client.get("/staff/").status_code == 302
