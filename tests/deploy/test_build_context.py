"""What `docker build` would send from the repository (context `..` in the compose file).

docker-py's `exclude_paths` applies .dockerignore with Docker's own matching rules, so this checks
the image's contents without a Docker engine: no secrets or local state, everything gunicorn needs.
"""
from __future__ import annotations

from pathlib import Path

from docker.utils.build import exclude_paths

ROOT = Path(__file__).resolve().parents[2]


def _context_with(tmp_path: Path) -> set[str]:
    """The repository's .dockerignore applied to a tree holding the local files a checkout has."""
    for local in (".env", "instance/devtenant/ca-key.pem", "instance/mygov.db", ".venv/bin/python",
                  "node_modules/oidc-provider/package.json", ".git/config", "app/__pycache__/x.pyc",
                  "app/__init__.py", "wsgi.py", "worker.py", "pyproject.toml", "deploy/gunicorn.conf.py",
                  "migrations/env.py", "templates/layouts/base.html", "static/css/mygov.css", ".env.example"):
        (tmp_path / local).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / local).write_text("x")
    return _sent(tmp_path)


def _sent(root: Path) -> set[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return set(exclude_paths(str(root), patterns, dockerfile="deploy/Dockerfile"))


def test_image_leaves_out_secrets_dev_tenant_keys_database_virtualenv_node_modules_and_git(tmp_path):
    sent = _context_with(tmp_path)
    for private in (".env", "instance/devtenant/ca-key.pem", "instance/mygov.db", ".venv/bin/python",
                    "node_modules/oidc-provider/package.json", ".git/config", "app/__pycache__/x.pyc"):
        assert private not in sent, f"{private} would be baked into the image"


def test_image_keeps_what_gunicorn_and_the_release_step_need(tmp_path):
    sent = _context_with(tmp_path)
    for needed in ("app/__init__.py", "wsgi.py", "worker.py", "pyproject.toml", "deploy/gunicorn.conf.py",
                   "migrations/env.py", "templates/layouts/base.html", "static/css/mygov.css"):
        assert needed in sent, f"{needed} is missing from the image"


def test_the_real_checkout_context_has_no_env_file_or_instance_folder():
    sent = _sent(ROOT)
    assert not any(path == ".env" or path.startswith(("instance/", ".venv/", "node_modules/", ".git/"))
                   for path in sent)
    assert "wsgi.py" in sent
