"""deploy/docker-compose.yml renders (Docker Compose v2's own parser) to the production shape."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE = Path(sys.executable).parent / "docker-compose"
SECRETS = {
    "SECRET_KEY": "k" * 48, "POSTGRES_PASSWORD": "pw", "ENTRA_TENANT_ID": "tenant",
    "ENTRA_CLIENT_ID": "client", "PUBLIC_BASE_URL": "https://mygov.auburnal.gov",
}


def _render(environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **environ}
    return subprocess.run(
        [str(COMPOSE), "-f", str(DEPLOY / "docker-compose.yml"), "config", "--format", "json"],
        capture_output=True, text=True, env=env, check=False,
    )


def test_compose_renders_web_two_workers_scheduler_database_and_redis():
    rendered = _render(SECRETS)
    assert rendered.returncode == 0, rendered.stderr
    services = json.loads(rendered.stdout)["services"]
    assert set(services) == {"release", "web", "worker", "scheduler", "db", "redis"}
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["release"]["command"] == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert services["web"]["depends_on"]["release"]["condition"] == "service_completed_successfully"
    web_env = services["web"]["environment"]
    assert web_env["MYGOV_ENV"] == "production"
    assert web_env["GRAPH_BASE_URL"] == "https://graph.microsoft.com/v1.0"


def test_web_and_workers_share_one_metrics_directory():
    services = json.loads(_render(SECRETS).stdout)["services"]
    for name in ("web", "worker", "scheduler"):
        assert services[name]["environment"]["PROMETHEUS_MULTIPROC_DIR"] == "/srv/mygov/instance/prometheus"
        mounts = {(m["source"], m["target"]) for m in services[name]["volumes"]}
        assert ("metrics", "/srv/mygov/instance/prometheus") in mounts


def test_compose_refuses_to_render_without_secrets():
    rendered = _render({k: v for k, v in SECRETS.items() if k != "SECRET_KEY"})
    # Compose v2 exits 0 here with --format json, but renders nothing and names the variable.
    assert rendered.stdout.strip() == ""
    assert "required variable SECRET_KEY is missing" in rendered.stderr
