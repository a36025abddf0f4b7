"""The app's own TokenProvider with a certificate credential (ENTRA_CLIENT_CERT_PATH + thumbprint)."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.graph import GraphAuthError, GraphClient, GraphSettings, users
from tests.certificates import make_app_certificate


def _certificate_client(tenant, pem_path: Path, thumbprint: str) -> GraphClient:
    config = {**tenant.graph_config, "ENTRA_CLIENT_SECRET": "", "ENTRA_CLIENT_CERT_PATH": str(pem_path),
              "ENTRA_CLIENT_CERT_THUMBPRINT": thumbprint}
    settings = GraphSettings.from_mapping(config)
    assert settings.client_secret is None  # only the certificate can get the token
    return GraphClient(settings)


LAYOUTS = {
    "key-then-certificate": lambda key, certificate: key + certificate,
    "certificate-then-key": lambda key, certificate: certificate + key,
    "key-only": lambda key, certificate: key,  # the thumbprint alone names the certificate
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_registered_certificate_gets_an_app_token_that_graph_accepts(tenant, tmp_path, layout):
    app_certificate = make_app_certificate()
    key_pem, certificate_pem, thumbprint = (
        app_certificate.key_pem, app_certificate.certificate_pem, app_certificate.thumbprint
    )
    pem = LAYOUTS[layout](key_pem, certificate_pem)
    path = tmp_path / "mygov-app.pem"
    path.write_text(pem)

    unregistered = _certificate_client(tenant, path, thumbprint)
    with pytest.raises(GraphAuthError) as refused:
        unregistered.tokens.access_token()
    assert refused.value.code == "invalid_client"
    assert "PRIVATE KEY" not in str(refused.value)

    tenant.server.control.register_client_certificate(certificate_pem)
    graph = _certificate_client(tenant, path, thumbprint)
    assert graph.tokens.access_token()
    assert graph.tokens.last_source == "identity_provider"
    someone = tenant.any_user()
    assert users.get_user(graph, someone["id"])["id"] == someone["id"]


def test_a_certificate_of_another_key_is_refused(tenant, tmp_path):
    mine, other = make_app_certificate(), make_app_certificate()
    tenant.server.control.register_client_certificate(other.certificate_pem)
    path = tmp_path / "mismatched.pem"
    path.write_text(mine.key_pem + other.certificate_pem)  # signed with a key the certificate does not hold
    with pytest.raises(GraphAuthError) as refused:
        _certificate_client(tenant, path, other.thumbprint).tokens.access_token()
    assert refused.value.code == "invalid_client"
