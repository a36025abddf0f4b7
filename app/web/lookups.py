"""What a public address names (a calendar's id and zone, a room's ids and lead time), kept in Redis
while the rows behind it are unchanged.

A cached public page still has to work out its version, and asking PostgreSQL which rows a slug
names cost as much as the rest of the request. An entry here records the generation of its
catalog ("calendars", "rooms") it was read under; every commit touching that catalog's rows bumps
the generation after COMMIT (`bump`), so an entry read before a change is never trusted after it,
and the read of the generation comes before the read of the rows. Redis down: the database answers.
A bump lost while Redis was down is bounded by LOOKUP_SECONDS.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from redis.client import Pipeline
from redis.exceptions import RedisError

from app.jobs.queue import get_redis

LOOKUP_SECONDS = 300


def _generation_key(catalog: str) -> str:
    return f"mygov:lookup:generation:{catalog}"


def _entry_key(catalog: str, name: str) -> str:
    return f"mygov:lookup:{catalog}:{hashlib.sha256(name.encode()).hexdigest()}"


def remembered(catalog: str, name: str, load: Callable[[], Any]) -> Any:
    """`load()` (JSON-serialisable, None for "no such row"), or what it returned under this generation."""
    try:
        redis = get_redis()
        generation, stored = redis.mget([_generation_key(catalog), _entry_key(catalog, name)])
    except RedisError:
        return load()
    generation = (generation or b"0").decode()
    if stored is not None:
        entry = json.loads(stored)
        if entry["generation"] == generation:
            return entry["value"]
    value = load()
    if value is not None:  # an unknown name is asked of the database: random addresses fill nothing
        try:
            redis.set(_entry_key(catalog, name), json.dumps({"generation": generation, "value": value}),
                      ex=LOOKUP_SECONDS)
        except RedisError:
            pass
    return value


def catalog_generations(*catalogs: str) -> str:
    """A version for a page that lists a catalog's rows (the home page): it changes with any of them."""
    values = get_redis().mget([_generation_key(catalog) for catalog in catalogs])
    return ".".join((value or b"0").decode() for value in values)


def bump(pipe: Pipeline, catalog: str) -> None:
    """Queue, on a pipeline run after COMMIT, the bump that retires every entry of the catalog."""
    pipe.incr(_generation_key(catalog))
