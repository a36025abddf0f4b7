"""The suite shares a Redis server with others: it empties its own database only."""
from __future__ import annotations

import re
from pathlib import Path

import fakeredis

from tests.jobs import helpers
from tests.jobs.helpers import lose_redis_data

TESTS = Path(__file__).resolve().parents[1]


EVERY_DATABASE = re.compile(r"\.flush(?:all)\(")  # the call that empties every database of the server


def test_no_test_empties_every_redis_database():
    offenders = [str(path.relative_to(TESTS)) for path in TESTS.rglob("*.py")
                 if path.name != Path(__file__).name and EVERY_DATABASE.search(path.read_text())]
    assert offenders == []


def test_losing_redis_data_leaves_a_neighbouring_database_alone(monkeypatch):
    # On a server of its own (in-process), so both CI passes run it without touching a real server's
    # other databases: ours is database 1, a neighbour's database 15.
    server = fakeredis.FakeServer()
    connection = fakeredis.FakeRedis(server=server, db=1)
    monkeypatch.setattr(helpers, "get_redis", lambda: connection)
    neighbour = fakeredis.FakeRedis(server=server, db=15)
    neighbour.set("someone-else", "kept")
    connection.set("ours", "lost")
    lose_redis_data()
    assert connection.get("ours") is None
    assert neighbour.get("someone-else") == b"kept"
    neighbour.delete("someone-else")
