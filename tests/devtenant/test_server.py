"""TLS material, the server's URLs, `python -m app.devtenant`, and the refusal to run in production."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from cryptography import x509

from app.devtenant import DevTenantRefused, DevTenantServer, create_devtenant_app
from app.devtenant.tls import ensure_tls_files

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_certificates_are_created_once_and_reused(tmp_path):
    first = ensure_tls_files(tmp_path)
    ca_bytes, cert_bytes = first.ca.read_bytes(), first.cert.read_bytes()
    ensure_tls_files(tmp_path)
    assert first.ca.read_bytes() == ca_bytes and first.cert.read_bytes() == cert_bytes
    names = (
        x509.load_pem_x509_certificate(cert_bytes)
        .extensions.get_extension_for_class(x509.SubjectAlternativeName)
        .value
    )
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    first.cert.write_bytes(b"garbage")
    ensure_tls_files(tmp_path)
    assert first.ca.read_bytes() == ca_bytes and first.cert.read_bytes() != b"garbage"


def test_server_urls_and_verified_tls(devtenant):
    assert devtenant.url.startswith("https://127.0.0.1:")
    assert devtenant.authority == f"{devtenant.url}/{devtenant.tenant_id}"
    assert devtenant.graph_base_url == f"{devtenant.url}/v1.0"
    assert requests.get(
        f"{devtenant.authority}/discovery/v2.0/keys", verify=devtenant.ca_path, timeout=30
    ).json()["keys"][0]["kid"]
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{devtenant.authority}/discovery/v2.0/keys", verify=True, timeout=30)


def test_refuses_to_start_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("MYGOV_ENV", "production")
    with pytest.raises(DevTenantRefused):
        DevTenantServer(port=0, cert_dir=tmp_path)
    with pytest.raises(DevTenantRefused):
        create_devtenant_app()
    command = [sys.executable, "-m", "app.devtenant", "--port", "0", "--cert-dir", str(tmp_path)]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "production" in result.stderr
    assert not (tmp_path / "ca.pem").exists()


def test_module_entry_point_serves(tmp_path, monkeypatch):
    monkeypatch.delenv("MYGOV_ENV", raising=False)
    command = [sys.executable, "-m", "app.devtenant", "--port", "0", "--cert-dir", str(tmp_path)]
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        url = line.split()[3]
        assert url.startswith("https://127.0.0.1:")
        tenant_id = line.split()[5].rstrip(");")
        config = requests.get(
            f"{url}/{tenant_id}/v2.0/.well-known/openid-configuration",
            verify=str(tmp_path / "ca.pem"),
            timeout=30,
        )
        assert config.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_dev_tenants_request_log_is_apart_from_the_apps(devtenant, caplog):
    import logging

    caplog.set_level(logging.INFO)
    devtenant.control.faults()
    names = {record.name for record in caplog.records if "/_devtenant/faults" in record.getMessage()}
    assert names == {"app.devtenant.requests"}
