"""Helpers for the dev tenant's own tests: MSAL app tokens and a thin Graph caller over HTTPS."""

from __future__ import annotations

from typing import Any

import msal
import pytest
import requests

from app.config import DEV_CLIENT_ID, DEV_CLIENT_SECRET
from app.devtenant.server import DevTenantServer

GRAPH_SCOPE = ["https://graph.microsoft.com/.default"]
ROOM = "rm_LIB_ProgramRoom@auburnal.gov"
ADMIN_UPN = "morgan.reyes@auburnal.gov"
OVERAGE_UPN = "dana.whitfield@auburnal.gov"


def msal_app(
    server: DevTenantServer, credential: Any = DEV_CLIENT_SECRET, client_id: str = DEV_CLIENT_ID
) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        client_id,
        authority=server.authority,
        client_credential=credential,
        verify=server.ca_path,
        instance_discovery=False,
    )


def app_token(server: DevTenantServer) -> str:
    result = msal_app(server).acquire_token_for_client(scopes=GRAPH_SCOPE)
    assert "access_token" in result, result
    return result["access_token"]


class Graph:
    """Calls `{graph_base_url}{path}` with a bearer token, verifying TLS against the dev CA."""

    def __init__(self, server: DevTenantServer, token: str | None) -> None:
        self.server = server
        self.token = token

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        url = path if path.startswith("https://") else self.server.graph_base_url + path
        all_headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        all_headers.update(headers or {})
        return requests.request(
            method, url, headers=all_headers, verify=self.server.ca_path, timeout=30, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def tenant(devtenant_clean: DevTenantServer) -> DevTenantServer:
    return devtenant_clean


@pytest.fixture
def graph(tenant: DevTenantServer) -> Graph:
    return Graph(tenant, app_token(tenant))


def error_code(response: requests.Response) -> str:
    return response.json()["error"]["code"]
