"""The release step as operators run it: `flask --app wsgi db upgrade` on an empty database."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_flask_db_upgrade_on_an_empty_sqlite_database_reaches_head(tmp_path):
    database = tmp_path / "empty.db"
    environment = {name: value for name, value in os.environ.items() if name not in ("REDIS_URL", "FLASK_APP")}
    environment.update(MYGOV_ENV="development", DATABASE_URL=f"sqlite:///{database}")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    head = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()
    with sqlite3.connect(database) as connection:
        versions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert versions == [head]
    assert {"employee", "facility_space", "reservation", "calendar_event", "graph_operation"} <= tables
    assert f"-> {head}," in result.stderr  # Alembic logged the last step it ran
