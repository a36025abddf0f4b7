"""The suite shares a Redis server with others: it empties its own database only."""
from __future__ import annotations

import re
from pathlib import Path

import fakeredis
import pytest

from app.jobs.queue import get_redis
from tests.jobs.helpers import lose_redis_data

TESTS = Path(__file__).resolve().parents[1]


def test_no_test_empties_every_redis_database():
    offenders = [str(path.relative_to(TESTS)) for path in TESTS.rglob("*.py")
                 if path.name != Path(__file__).name and re.search(r"\.flushall\(", path.read_text())]
    assert offenders == []


def test_losing_redis_data_leaves_a_neighbouring_database_alone(app):
    connection = get_redis()
    server = connection.connection_pool.connection_kwargs.get("server")
    if not isinstance(connection, fakeredis.FakeRedis) or server is None:
        pytest.skip("checked on the in-process Redis; a real server's other databases are not ours to write")
    neighbour = fakeredis.FakeRedis(server=server, db=15)
    neighbour.set("someone-else", "kept")
    connection.set("ours", "lost")
    lose_redis_data()
    assert connection.get("ours") is None
    assert neighbour.get("someone-else") == b"kept"
    neighbour.delete("someone-else")
