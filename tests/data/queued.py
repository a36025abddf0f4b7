"""Job functions the tests enqueue (RQ imports them by dotted path)."""
from flask import current_app

from app.jobs.queue import get_redis


def remember(value: str) -> None:
    assert current_app  # runs inside the app context the worker pushes
    get_redis().set("test:remembered", value)
