"""Bearer and permission checks, error bodies and request ids on every Graph answer."""

from __future__ import annotations

import time
import uuid

from tests.devtenant.conftest import ROOM, Graph, app_token, error_code


def test_missing_or_foreign_token_is_401_invalid_authentication_token(tenant):
    anonymous = Graph(tenant, None).get("/users")
    assert anonymous.status_code == 401 and error_code(anonymous) == "InvalidAuthenticationToken"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    forged = app_token(tenant).rsplit(".", 1)[0] + ".c2lnbmF0dXJl"
    assert error_code(Graph(tenant, forged).get("/users")) == "InvalidAuthenticationToken"


def test_expired_or_wrong_audience_token_is_401(tenant):
    signing_key = tenant.tenant.signing_key
    now = int(time.time())
    base = {
        "aud": "https://graph.microsoft.com",
        "tid": tenant.tenant_id,
        "iat": now - 7200,
        "nbf": now - 7200,
        "roles": ["User.Read.All"],
    }
    expired = signing_key.sign({**base, "exp": now - 3600})
    other_audience = signing_key.sign({**base, "aud": "api://something-else", "exp": now + 600})
    other_tenant = signing_key.sign({**base, "tid": str(uuid.uuid4()), "exp": now + 600})
    for token in (expired, other_audience, other_tenant):
        response = Graph(tenant, token).get("/users")
        assert response.status_code == 401 and error_code(response) == "InvalidAuthenticationToken"


def test_error_body_carries_request_ids_and_echoes_client_request_id(graph):
    client_request_id = str(uuid.uuid4())
    response = graph.get("/users/no-such-user@auburnal.gov", headers={"client-request-id": client_request_id})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "Request_ResourceNotFound"
    assert error["innerError"]["client-request-id"] == client_request_id
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    assert response.headers["client-request-id"] == client_request_id
    assert graph.get("/users?$top=1").headers["request-id"]


def test_a_missing_application_permission_is_403(tenant):
    tenant.control.set_app_roles(["Calendars.ReadWrite"])
    graph = Graph(tenant, app_token(tenant))
    directory = graph.get("/users")
    assert directory.status_code == 403 and error_code(directory) == "Authorization_RequestDenied"
    assert (
        graph.get(
            f"/users/{ROOM}/calendarView?startDateTime=2026-01-01T00:00:00Z&endDateTime=2026-01-02T00:00:00Z"
        ).status_code
        == 200
    )
    tenant.control.set_app_roles(["User.Read.All"])
    outlook = Graph(tenant, app_token(tenant)).post(f"/users/{ROOM}/events", json={})
    assert outlook.status_code == 403 and error_code(outlook) == "ErrorAccessDenied"
    tenant.control.set_app_roles(None)
    assert Graph(tenant, app_token(tenant)).get("/users?$top=1").status_code == 200


def test_mailbox_endpoints_answer_for_unknown_users_and_users_without_mailbox(graph):
    unknown = graph.get("/users/nobody@auburnal.gov/calendar")
    assert unknown.status_code == 404 and error_code(unknown) == "ErrorInvalidUser"
    no_mailbox = graph.get("/users/quentin.harris@auburnal.gov/calendar")
    assert no_mailbox.status_code == 404 and error_code(no_mailbox) == "MailboxNotEnabledForRESTAPI"


def test_unknown_segments_answer_like_graph(graph):
    response = graph.get("/users/morgan.reyes@auburnal.gov/nothingHere")
    assert response.status_code == 400 and error_code(response) == "BadRequest"
    assert "nothingHere" in response.json()["error"]["message"]
