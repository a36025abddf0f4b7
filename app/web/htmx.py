"""One view serves the full page without JavaScript and just the changed part to htmx."""
from __future__ import annotations

from typing import Any

from flask import Response, make_response, redirect, render_template
from jinja2_fragments.flask import render_block

from app.extensions import htmx


def render_page_or_block(template: str, block: str, **context: Any) -> Response:
    """The whole page for a plain request; only `block` for an htmx request (Vary: HX-Request)."""
    if htmx and not htmx.boosted:
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response


def see_other(location: str) -> Response:
    """After a successful POST: 303 for browsers; htmx follows it the same way."""
    return redirect(location, code=303)
