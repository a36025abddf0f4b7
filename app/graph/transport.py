"""One requests session for all Graph traffic: auth, request ids, retries, per-mailbox limits.

429/503/504 are retried honouring `Retry-After` (capped, with jitter); without it the wait grows
exponentially. A request that is not repeatable (by default every POST: it may create something)
is retried only after a 429, which Graph answers before doing anything; a 503/504 may come after
the work was done, so it goes back to the caller, who must find out whether it took effect before
sending it again (calendar.create_event looks its event up by transactionId). Outlook allows 4 concurrent requests per app per mailbox (contract §11.2), so calls
that touch a mailbox hold one of that mailbox's 4 slots.
"""
from __future__ import annotations

import logging
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import requests
from requests.structures import CaseInsensitiveDict

from app.graph.errors import TRANSIENT_STATUSES, GraphError, GraphTransportError, backoff_seconds, parse_error
from app.graph.http import GraphHttpSession
from app.graph.settings import GraphSettings
from app.graph.tokens import TokenProvider

log = logging.getLogger("app.graph")

_MAILBOX_PATH = re.compile(
    r"^/users/([^/?]+)/(events|calendar|calendars|calendarView|sendMail|mailFolders|messages)\b"
)


def mailbox_of(path: str) -> str | None:
    """The mailbox a path touches, for the per-mailbox concurrency limit."""
    match = _MAILBOX_PATH.match(path)
    return unquote(match.group(1)).lower() if match else None


@dataclass
class GraphResponse:
    status: int
    headers: Mapping[str, str]  # case-insensitive, as HTTP header names are
    body: Any
    content: bytes = b""
    request_id: str | None = None
    attempts: int = 1

    def json(self) -> Any:
        return self.body


@dataclass
class TransportHooks:
    """Callbacks the application wires to its metrics and logs; the client knows no Flask."""

    on_response: Callable[[str, int], None] = lambda method, status: None
    on_throttle_wait: Callable[[float], None] = lambda seconds: None


class MailboxLimiter:
    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def slot(self, mailbox: str) -> threading.BoundedSemaphore:
        with self._lock:
            if mailbox not in self._semaphores:
                self._semaphores[mailbox] = threading.BoundedSemaphore(self.slots)
            return self._semaphores[mailbox]


@dataclass
class Transport:
    settings: GraphSettings
    tokens: TokenProvider
    hooks: TransportHooks = field(default_factory=TransportHooks)
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self.session = GraphHttpSession(self.settings.verify, self.settings.timeout_seconds)
        self.limiter = MailboxLimiter(self.settings.max_concurrent_per_mailbox)
        self.request_count = 0

    def url_for(self, path_or_url: str) -> str:
        if path_or_url.startswith(("https://", "http://")):
            return path_or_url  # nextLink / deltaLink: replayed verbatim
        return self.settings.graph_base_url + path_or_url

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        mailbox: str | None = None,
        authenticated: bool = True,
        repeatable: bool | None = None,
    ) -> GraphResponse:
        """Send one Graph request, retrying transient answers; raises a typed GraphError.

        `repeatable`: sending it twice does no harm (reads, PATCH, DELETE, POSTs that only ask
        something). Left out, only methods other than POST are.
        """
        repeatable = method.upper() != "POST" if repeatable is None else repeatable
        url = self.url_for(path_or_url)
        mailbox = mailbox or mailbox_of(_path_of(url, self.settings.graph_base_url))
        client_request_id = str(uuid.uuid4())
        refreshed_token = False
        attempt = 0
        while True:
            attempt += 1
            response = self._send_once(
                method, url, params, json, headers, mailbox, client_request_id, authenticated
            )
            if response.status == 401 and authenticated and not refreshed_token:
                self.tokens.invalidate()  # revoked or expired early: one fresh token, once
                refreshed_token = True
                attempt -= 1
                continue
            if response.status < 400:
                response.attempts = attempt
                return response
            error = parse_error(response.status, response.body, response.headers, client_request_id)
            retry = response.status in TRANSIENT_STATUSES and (repeatable or response.status == 429)
            if not retry or attempt >= self.settings.max_attempts:
                # A 404 is often the answer a caller hoped for ("is this address free?"): not a warning.
                log.log(
                    logging.INFO if response.status == 404 else logging.WARNING,
                    "graph %s %s failed: %s", method, _path_of(url, self.settings.graph_base_url), error,
                    extra={"graph_request_id": error.request_id, "client_request_id": client_request_id},
                )
                raise error
            self._wait_before_retry(attempt, error)

    def _wait_before_retry(self, attempt: int, error: GraphError) -> None:
        base = error.retry_after if error.retry_after is not None else backoff_seconds(attempt)
        log.info(
            "graph throttled (%s %s), retrying in about %.2fs", error.status, error.code,
            min(base, self.settings.max_retry_wait_seconds), extra={"graph_request_id": error.request_id},
        )
        self.wait(base)

    def wait(self, seconds: float) -> None:
        """Wait before a retry: capped by max_retry_wait_seconds, with jitter so that throttled
        callers do not return in lockstep."""
        wait = min(seconds, self.settings.max_retry_wait_seconds)
        wait += random.uniform(0, 0.1 * wait + 0.05)
        self.hooks.on_throttle_wait(wait)
        self.sleep(wait)

    def _send_once(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        json: Any,
        headers: dict[str, str] | None,
        mailbox: str | None,
        client_request_id: str,
        authenticated: bool,
    ) -> GraphResponse:
        all_headers = {"client-request-id": client_request_id, "return-client-request-id": "true"}
        if authenticated:
            all_headers["Authorization"] = f"Bearer {self.tokens.access_token()}"
        all_headers.update(headers or {})
        slot = self.limiter.slot(mailbox) if mailbox else None
        if slot:
            slot.acquire()
        try:
            self.request_count += 1
            raw = self.session.request(
                method, url, params=params, json=json, headers=all_headers,
                timeout=self.settings.timeout_seconds,
            )
        except requests.RequestException as exc:
            self.hooks.on_response(method, 0)
            raise GraphTransportError(f"{method} {url}: {exc}", client_request_id=client_request_id) from exc
        finally:
            if slot:
                slot.release()
        self.hooks.on_response(method, raw.status_code)
        return _to_response(raw)


def _to_response(raw: requests.Response) -> GraphResponse:
    headers = CaseInsensitiveDict(raw.headers)
    content_type = headers.get("Content-Type", "")
    body: Any = None
    if raw.content and "json" in content_type:
        try:
            body = raw.json()
        except ValueError:
            body = raw.text
    elif raw.content and content_type.startswith("text/"):
        body = raw.text
    return GraphResponse(
        status=raw.status_code, headers=headers, body=body, content=raw.content,
        request_id=headers.get("request-id"),
    )


def _path_of(url: str, base: str) -> str:
    return url[len(base):] if url.startswith(base) else url

