"""`flask mygov doctor` finds what is wrong with a deployment and says it in plain words."""
from __future__ import annotations

from sqlalchemy import text

from app.extensions import db


def _doctor(app) -> tuple[int, dict[str, str]]:
    result = app.test_cli_runner().invoke(args=["mygov", "doctor"])
    findings = {}
    for line in result.output.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("ok", "PROBLEM"):
            check, _, detail = rest.strip().partition("  ")
            findings[check.strip()] = f"{status}: {detail.strip()}"
    return result.exit_code, findings


def test_schema_behind_the_migration_head_is_a_problem_that_names_the_fix(app, tenant):
    head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    db.session.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    db.session.commit()
    try:
        exit_code, findings = _doctor(app)
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        db.session.commit()
    assert exit_code == 1
    assert findings["database"] == (f"PROBLEM: the schema is at 0005 but the code expects {head}: "
                                    "run `flask db upgrade`")


def test_redis_unreachable_is_a_problem_for_the_queue_and_the_workers(app, tenant):
    saved = app.config["REDIS_URL"], app.config["EMBEDDED_QUEUE"]
    app.config["REDIS_URL"], app.config["EMBEDDED_QUEUE"] = "redis://127.0.0.1:1/0", False  # nothing listens
    try:
        exit_code, findings = _doctor(app)
    finally:
        app.config["REDIS_URL"], app.config["EMBEDDED_QUEUE"] = saved
    assert exit_code == 1
    assert findings["redis"] == "PROBLEM: cannot reach Redis at REDIS_URL (ConnectionError)"
    assert findings["workers"] == "PROBLEM: cannot ask Redis about workers"
    assert findings["database"].startswith("ok")


def test_the_dev_tenant_outside_production_is_fine_and_says_what_production_would_refuse(app, tenant):
    _, findings = _doctor(app)
    assert findings["configuration"].startswith("ok: MYGOV_ENV=test with the dev tenant: fine for development")
    assert "production would refuse" in findings["configuration"]
    assert "ENTRA_CLIENT_ID (the city's real Entra setting" in findings["configuration"]


def test_a_real_tenant_without_production_mode_is_a_problem(app, tenant):
    saved = app.config["ENTRA_TENANT_ID"]
    app.config["ENTRA_TENANT_ID"] = "0b5e2a6c-1d3f-4a7b-8c9d-2e4f6a8b0c1d"
    try:
        exit_code, findings = _doctor(app)
    finally:
        app.config["ENTRA_TENANT_ID"] = saved
    assert exit_code == 1
    assert findings["configuration"].startswith(
        "PROBLEM: MYGOV_ENV=test but Microsoft 365 is the tenant 0b5e2a6c-1d3f-4a7b-8c9d-2e4f6a8b0c1d, "
        "not the dev tenant: set MYGOV_ENV=production"
    )
    assert findings["graph"].startswith(f"PROBLEM: {app.config['ENTRA_AUTHORITY_HOST']} does not know the tenant "
                                        "0b5e2a6c-1d3f-4a7b-8c9d-2e4f6a8b0c1d: check ENTRA_TENANT_ID")


def test_production_with_a_default_secret_key_and_no_metrics_token_is_a_problem(app, tenant, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    saved = {name: app.config[name] for name in ("MYGOV_ENV", "SECRET_KEY", "METRICS_TOKEN")}
    app.config.update(MYGOV_ENV="production", SECRET_KEY="dev-only-secret-key-change-me", METRICS_TOKEN=None)
    try:
        exit_code, findings = _doctor(app)
    finally:
        app.config.update(saved)
    assert exit_code == 1
    detail = findings["configuration"]
    assert detail.startswith("PROBLEM: production settings missing or unsafe: SECRET_KEY (a random value")
    assert "METRICS_TOKEN (without it /metrics answers nobody in production)" in detail
    assert "PROMETHEUS_MULTIPROC_DIR (one directory for web and workers" in detail
