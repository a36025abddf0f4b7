"""Polling slows down by itself where Graph change notifications are live.

A polling job asks `poll_due(purpose)` first: while a live subscription covers what it polls, it
runs only as the nightly safety net (once per POLL_SAFETY_NET_HOURS). Which subscriptions are live
is the subscriptions area's to say; it registers its check here (jobs sits below it).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app

from app.extensions import db
from app.jobs.models import SyncState
from app.sqltypes import utcnow

# (purpose, target) -> live? target None: every resource of that purpose MyGov watches.
LiveCheck = Callable[[str, str | None], bool]
_live_checks: list[LiveCheck] = []


def register_live_check(check: LiveCheck) -> None:
    if check not in _live_checks:
        _live_checks.append(check)


def is_live(purpose: str, target: str | None = None) -> bool:
    """Whether Graph notifies MyGov of changes to this resource (or all of this purpose's)."""
    return any(check(purpose, target) for check in _live_checks)


def poll_due(purpose: str, now: datetime | None = None) -> bool:
    """True when the polling job of `purpose` should run now; the run is then remembered."""
    now = now or utcnow()
    key = f"poll.{purpose}.last"
    state = db.session.get(SyncState, key)
    if is_live(purpose) and state is not None and state.value:
        safety_net = timedelta(hours=float(current_app.config["POLL_SAFETY_NET_HOURS"]))
        if now - datetime.fromisoformat(state.value) < safety_net:
            return False
    state = state or SyncState(key=key)
    state.value = now.isoformat()
    db.session.add(state)
    return True


def skipped(purpose: str) -> dict[str, str]:
    """What a skipped run records on the Server jobs screen."""
    return {"skipped": f"live updates from Microsoft 365 cover this ({purpose}); it runs as the nightly safety net"}
