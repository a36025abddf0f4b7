"""Citizens' manage links are bearer tokens: an access log line must not carry one.

Both access logs are covered: gunicorn's (production, `logger_class` in deploy/gunicorn.conf.py)
and werkzeug's (the development server), for the request line, the path and the Referer.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

# /reservations/manage/<signed>[/...]: the signed token is the only secret in a public URL.
_MANAGE_TOKEN = re.compile(r"(/reservations/manage/)[^/?#\s\"]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _MANAGE_TOKEN.sub(rf"\g<1>{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """For werkzeug's logger: its access line is `%s - - [%s] %s` with the request line in args."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_access_log_redaction() -> None:
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactingFilter())


class RedactingGunicornLogger(GunicornLogger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
