"""Input refused before any view sees it: NUL characters (PostgreSQL cannot store them, and no
person types one) and ids in addresses larger than the database holds."""
from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

from app.web.params import MAX_ID


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` up to the largest id a column holds: a 30-digit id is a 404, not an overflow."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def field_label(name: str) -> str:
    """A parameter's name as words ("start_date" → "start date") for a message about it."""
    return " ".join(name.replace("_", " ").replace("-", " ").split())[:60] or "a field"


def install_input_guard(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter

    @app.before_request
    def refuse_null_characters() -> None:
        if "\x00" in request.path:
            abort(400, description="The address contains a character that cannot be used.")
        for values in (request.args, request.form):
            for name, given in values.lists():
                if "\x00" in name or any("\x00" in value for value in given):
                    abort(400, description=f"“{field_label(name.replace(chr(0), ''))}” contains a character "
                                           "that cannot be used (a null character). Remove it and try again.")
