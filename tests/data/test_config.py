"""Configuration: embedded defaults that need nothing installed; production that refuses to guess."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigError, load_config

REAL_PRODUCTION = {
    "MYGOV_ENV": "production",
    "SECRET_KEY": "Vq3kR8zL1mN7pX4tY6wB9cD2fG5hJ0sA-eU_iO",
    "DATABASE_URL": "postgresql://mygov@db.internal/mygov",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "ENTRA_TENANT_ID": "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d",
    "ENTRA_CLIENT_ID": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "ENTRA_CLIENT_SECRET": "a-real-secret-from-the-vault",
    "ENTRA_AUTHORITY_HOST": "https://login.microsoftonline.com",
    "GRAPH_BASE_URL": "https://graph.microsoft.com/v1.0",
    "PUBLIC_BASE_URL": "https://mygov.auburnal.gov",
}


def test_embedded_defaults_need_no_services():
    config = load_config({})
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("instance/mygov.db")
    assert config["EMBEDDED_QUEUE"] is True
    assert config["USE_DEVTENANT"] is True
    assert config["CITY_TIMEZONE"] == "America/Chicago"


def test_production_with_real_settings_starts():
    config = load_config(REAL_PRODUCTION)
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert config["EMBEDDED_QUEUE"] is False and config["USE_DEVTENANT"] is False
    assert config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("SECRET_KEY", "SECRET_KEY"),
        ("DATABASE_URL", "DATABASE_URL"),
        ("REDIS_URL", "REDIS_URL"),
        ("ENTRA_TENANT_ID", "ENTRA_TENANT_ID"),
        ("ENTRA_CLIENT_SECRET", "ENTRA_CLIENT_SECRET"),
        ("ENTRA_AUTHORITY_HOST", "ENTRA_AUTHORITY_HOST"),
        ("PUBLIC_BASE_URL", "PUBLIC_BASE_URL"),
    ],
)
def test_production_refuses_to_start_and_names_what_is_missing(missing, named):
    environ = {k: v for k, v in REAL_PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError, match=named):
        load_config(environ)


def test_production_refuses_the_dev_secret_and_sqlite():
    environ = {**REAL_PRODUCTION, "SECRET_KEY": "dev-only-secret-key-change-me",
               "DATABASE_URL": "sqlite:///prod.db"}
    with pytest.raises(ConfigError) as refused:
        load_config(environ)
    assert "SECRET_KEY" in str(refused.value) and "DATABASE_URL" in str(refused.value)


def test_production_accepts_a_certificate_instead_of_a_secret():
    environ = {k: v for k, v in REAL_PRODUCTION.items() if k != "ENTRA_CLIENT_SECRET"}
    environ |= {"ENTRA_CLIENT_CERT_PATH": "/etc/mygov/app.pem", "ENTRA_CLIENT_CERT_THUMBPRINT": "AB" * 20}
    assert load_config(environ)["ENTRA_CLIENT_CERT_PATH"] == "/etc/mygov/app.pem"


def test_a_lease_no_longer_than_the_job_timeout_is_refused():
    with pytest.raises(ConfigError, match="OUTBOX_LEASE_SECONDS must be longer than OUTBOX_JOB_TIMEOUT_SECONDS"):
        load_config({"OUTBOX_LEASE_SECONDS": "300", "OUTBOX_JOB_TIMEOUT_SECONDS": "300"})
    worst_call = int(load_config({})["GRAPH_MAX_ATTEMPTS"]) * (30 + int(load_config({})["GRAPH_MAX_RETRY_WAIT_SECONDS"]))
    assert int(load_config({})["OUTBOX_JOB_TIMEOUT_SECONDS"]) > worst_call  # a healthy slow call is not cut off


def test_the_session_cookie_is_secure_whenever_the_site_is_served_over_https():
    assert load_config({"PUBLIC_BASE_URL": "https://mygov.test.auburnal.gov"})["SESSION_COOKIE_SECURE"] is True
    assert load_config({})["SESSION_COOKIE_SECURE"] is False  # http://127.0.0.1:5000 in development


def test_the_dev_tenant_port_is_a_setting():
    config = load_config({"DEVTENANT_PORT": "6443"})
    assert config["ENTRA_AUTHORITY_HOST"] == "https://127.0.0.1:6443"
    assert config["GRAPH_BASE_URL"] == "https://127.0.0.1:6443/v1.0"
    assert config["USE_DEVTENANT"] is True
    assert load_config({})["ENTRA_AUTHORITY_HOST"] == "https://127.0.0.1:5443"


def _example_file() -> dict[str, str]:
    path = Path(__file__).resolve().parents[2] / "deploy" / "mygov.env.example"
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {name: value for name, value in pairs}


@pytest.mark.parametrize("name", ["SECRET_KEY", "METRICS_TOKEN", "DATABASE_URL", "ENTRA_TENANT_ID", "ENTRA_CLIENT_ID"])
def test_production_refuses_each_placeholder_of_the_example_file(name):
    example = _example_file()[name]
    with pytest.raises(ConfigError, match=name):
        load_config({**REAL_PRODUCTION, name: example})


@pytest.mark.parametrize("key", ["short-but-random-Q7x", "k" * 48, "change-me-to-a-long-random-value-please"])
def test_production_refuses_short_repetitive_or_placeholder_keys(key):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config({**REAL_PRODUCTION, "SECRET_KEY": key})


@pytest.mark.parametrize("url", ["http://mygov.auburnal.gov", "https://127.0.0.1:5000", "https://localhost"])
def test_production_refuses_a_public_base_url_citizens_cannot_use(url):
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        load_config({**REAL_PRODUCTION, "PUBLIC_BASE_URL": url})
