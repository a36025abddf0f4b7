"""Test fixtures: a real database (SQLite, or PostgreSQL when DATABASE_URL says so), real or fake Redis."""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask, g
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db

pytest.register_assert_rewrite("tests.graph_tenant", "tests.browser_plugin", "tests.devtenant_plugin")
from tests.graph_tenant import Tenant  # noqa: E402

pytest_plugins = ["tests.browser_plugin", "tests.graph_conformance", "tests.devtenant_plugin", "tests.graph_tenant"]

TEST_SECRET = "test-secret-key-" + "x" * 32


def _postgres_admin_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgresql", "postgres")) else None


@contextmanager
def fresh_postgres_database(admin_url: str, prefix: str = "mygov_test") -> Iterator[str]:
    """An empty PostgreSQL database on the server of `admin_url`, dropped afterwards."""
    admin = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{secrets.token_hex(4)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database created for this test session and dropped after it."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'mygov-test.db'}"
        return
    with fresh_postgres_database(admin_url) as url:
        yield url


def make_test_app(database_url: str, **overrides: object) -> Flask:
    overrides.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or None)
    app = create_app(MYGOV_ENV="test", SECRET_KEY=TEST_SECRET, DATABASE_URL=database_url, **overrides)

    @app.before_request
    def forget_the_previous_requests_user() -> None:
        # Tests hold one app context, so `g` outlives a request; each request loads its own user.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)  # Flask-WTF caches the session's token in `g`

    return app


@pytest.fixture(scope="session")
def migrated_app(database_url: str, devtenant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app under test; Microsoft 365 is the session's dev tenant over HTTPS; images in the session's own folder."""
    images = tmp_path_factory.mktemp("images")
    app = make_test_app(database_url, IMAGE_STORE_DIR=str(images), **Tenant(devtenant).graph_config)
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        _empty_all_tables()  # data migrations (default server jobs) are tested on their own
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(migrated_app: Flask) -> Iterator[Flask]:
    """The app with an empty database, an empty queue and its own configuration after each test."""
    config = dict(migrated_app.config)
    with migrated_app.app_context():
        yield migrated_app
        db.session.remove()
        _empty_all_tables()
    migrated_app.config.clear()
    migrated_app.config.update(config)
    _flush_queue(migrated_app)


def _empty_all_tables() -> None:
    with db.engine.begin() as connection:
        tables = list(reversed(db.metadata.sorted_tables))
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


def _flush_queue(app: Flask) -> None:
    from app.jobs.queue import redis_for

    redis_for(app).flushdb()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only and real-Redis tests run in CI's second pass; they are deselected without them."""
    needs = set()
    if not _postgres_admin_url():
        needs.add("postgres")
    if not os.environ.get("REDIS_URL"):
        needs.add("redis")
    selected = [item for item in items if not needs & set(item.keywords)]
    deselected = [item for item in items if needs & set(item.keywords)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
