"""Error pages that say what happened in plain words, in the public layout."""
from __future__ import annotations

from flask import Flask, Response, render_template
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something in that request was not right", "Please go back and try again."),
    403: ("You don't have access to this page", "If you think you should, ask a platform administrator."),
    404: ("Page not found", "The page may have moved, or the address may be mistyped."),
    405: ("That action isn't available here", "Please go back and try again."),
    413: ("That was too large to send", "Please send a smaller file or shorter text."),
    429: ("Too many requests", "Please wait a minute and try again."),
    500: ("Something went wrong on our side", "Please try again in a few minutes."),
    503: ("The service is temporarily unavailable", "Please try again in a few minutes."),
}


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template(
            "errors/error.html",
            status=400,
            heading="Your form expired",
            detail="For your security, forms expire. Please reload the page and submit again.",
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | Response:
        status = error.code or 500
        heading, detail = MESSAGES.get(status, (error.name, error.description or ""))
        if error.description and error.description != type(error).description:
            detail = error.description  # the view said what was wrong (abort(400, description=...))
        if request_ctx.url_adapter is None:  # a Host that is not this site's: no page (and no link) names it
            return Response(f"{heading}. {detail}\n", status=status, mimetype="text/plain")
        return render_template(
            "errors/error.html", status=status, heading=heading, detail=detail
        ), status
