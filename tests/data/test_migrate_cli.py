"""The release step as operators run it: `flask --app wsgi db upgrade` on an empty database."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from tests.conftest import fresh_postgres_database

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOME_TABLES = {"employee", "facility_space", "reservation", "calendar_event", "graph_operation"}


def _flask_db_upgrade(database_url: str) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items() if name not in ("REDIS_URL", "FLASK_APP")}
    environment.update(MYGOV_ENV="development", DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )


def _assert_at_head(database_url: str, result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    head = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert versions == [head]
    assert SOME_TABLES <= tables
    assert f"-> {head}," in result.stderr  # Alembic logged the last step it ran


def test_flask_db_upgrade_on_an_empty_sqlite_database_reaches_head(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'empty.db'}"
    _assert_at_head(database_url, _flask_db_upgrade(database_url))


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    with fresh_postgres_database(os.environ["DATABASE_URL"], prefix="mygov_cli") as url:
        yield url


@pytest.mark.postgres
def test_flask_db_upgrade_on_an_empty_postgresql_database_reaches_head(empty_postgres_url):
    _assert_at_head(empty_postgres_url, _flask_db_upgrade(empty_postgres_url))
