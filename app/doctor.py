"""`flask mygov doctor`: what is wrong with this deployment, in plain words."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text

from app.config import DEV_TENANT_ID, PROJECT_ROOT, SETTINGS, production_problems


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str


def _configuration(app: Flask) -> Finding:
    """Production's refusals, applied to whatever mode this is, and a real tenant outside production."""
    env = app.config["MYGOV_ENV"]
    effective = {s.name: str(app.config[s.name]) for s in SETTINGS if app.config.get(s.name)}
    problems = production_problems(effective, app.config)
    if env == "production" and not app.config.get("METRICS_TOKEN"):
        problems.append("METRICS_TOKEN (without it /metrics answers nobody in production)")
    if env == "production" and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        problems.append("PROMETHEUS_MULTIPROC_DIR (one directory for web and workers, else /metrics shows "
                        "one process only)")
    refused = "; ".join(problems)
    if env == "production":
        if problems:
            return Finding("configuration", False, f"production settings missing or unsafe: {refused}")
        return Finding("configuration", True, f"production, Microsoft 365 at {app.config['ENTRA_AUTHORITY_HOST']}")
    if app.config["ENTRA_TENANT_ID"] != DEV_TENANT_ID:
        return Finding("configuration", False, f"MYGOV_ENV={env} but Microsoft 365 is the tenant "
                       f"{app.config['ENTRA_TENANT_ID']}, not the dev tenant: set MYGOV_ENV=production so the "
                       "production safeguards apply (secure cookies, JSON logs, refusing unsafe settings)"
                       + (f"; production would refuse: {refused}" if problems else ""))
    return Finding("configuration", True, f"MYGOV_ENV={env} with the dev tenant: fine for development, "
                   "never for the city" + (f" (production would refuse: {refused})" if problems else ""))


def _database(app: Flask) -> Finding:
    from app.extensions import db

    try:
        current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as error:
        db.session.rollback()
        return Finding("database", False, f"cannot read the database ({type(error).__name__}): is DATABASE_URL "
                       "right, is the server up, and has `flask db upgrade` run?")
    script = ScriptDirectory.from_config(_alembic_config())
    head = script.get_current_head()
    if current != head:
        return Finding("database", False, f"the schema is at {current} but the code expects {head}: "
                       "run `flask db upgrade`")
    return Finding("database", True, f"{db.engine.dialect.name}, schema at head {head}")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(PROJECT_ROOT) / "migrations"))
    return config


def _redis(app: Flask) -> Finding:
    from app.jobs.queue import get_redis

    try:
        get_redis().ping()
    except Exception as error:
        return Finding("redis", False, f"cannot reach Redis at REDIS_URL ({type(error).__name__})")
    return Finding("redis", True, "in-process (embedded)" if app.config["EMBEDDED_QUEUE"] else "reachable")


def _workers(app: Flask) -> Finding:
    from app.jobs.queue import get_redis, live_workers

    if app.config["EMBEDDED_QUEUE"]:
        return Finding("workers", True, "embedded: the worker thread runs inside the web process (see /healthz)")
    try:
        alive = live_workers(get_redis())
    except Exception:
        return Finding("workers", False, "cannot ask Redis about workers")
    if not alive:
        return Finding("workers", False, "no worker has sent a heartbeat in the last 90 s: start `python worker.py`"
                       " (writes to Microsoft 365 wait meanwhile; nothing is lost)")
    return Finding("workers", True, f"{len(alive)} alive: " + ", ".join(w.name for w in alive))


def _graph(app: Flask) -> Finding:
    from app.graph import GraphError
    from app.graph.permissions import missing_permissions
    from app.microsoft import graph_client

    try:
        missing = missing_permissions(graph_client())
    except GraphError as error:
        return Finding("graph", False, f"no app token from {app.config['ENTRA_AUTHORITY_HOST']}: {error.message}")
    except (ValueError, OSError) as error:  # MSAL: no tenant of that id; requests: CA file or network
        return Finding("graph", False, _unreachable(app, error))
    if missing:
        return Finding("graph", False, "the app registration lacks application permission(s) "
                       + ", ".join(sorted(missing)) + ": grant them and give admin consent")
    return Finding("graph", True, "app token issued with every required permission")


def _unreachable(app: Flask, error: Exception) -> str:
    host = app.config["ENTRA_AUTHORITY_HOST"]
    if isinstance(error, ValueError):
        return (f"{host} does not know the tenant {app.config['ENTRA_TENANT_ID']}: "
                f"check ENTRA_TENANT_ID and ENTRA_AUTHORITY_HOST ({str(error).split('.')[0].strip()})")
    return f"cannot reach Microsoft 365 at {host} (check GRAPH_CA_BUNDLE and the network): {error}"


def _mail_sender(app: Flask) -> Finding:
    """The sender must be a mailbox MyGov can send from and read bounce reports in."""
    from app.graph import GraphError, GraphNotFound
    from app.graph.client import segment
    from app.microsoft import graph_client

    sender = app.config["MAIL_SENDER"]
    try:
        graph_client().get(f"/users/{segment(sender)}/mailFolders/inbox/messages", params={"$top": 1, "$select": "id"})
    except GraphNotFound:
        return Finding("mail sender", False, f"{sender} (MAIL_SENDER) is not a mailbox in the tenant")
    except GraphError as error:
        return Finding("mail sender", False, f"cannot read the inbox of {sender} (bounce reports): {error.message}")
    except (ValueError, OSError) as error:
        return Finding("mail sender", False, _unreachable(app, error))
    return Finding("mail sender", True, f"{sender} is a mailbox MyGov can read bounce reports in")


def _exchange_scope(app: Flask) -> Finding:
    """Graph cannot read the app's Exchange scope (RBAC for Applications): a mailbox the admin names
    as outside it must be refused. Reading it successfully means MyGov can write anywhere."""
    from app.graph import GraphError, GraphNotFound
    from app.graph.client import segment
    from app.jobs.runner import refused_by_exchange_scope
    from app.microsoft import graph_client

    probe = app.config.get("EXCHANGE_SCOPE_PROBE_MAILBOX")
    if not probe:
        detail = ("EXCHANGE_SCOPE_PROBE_MAILBOX is not set, so nothing shows that Exchange keeps MyGov to its "
                  "own mailboxes: name a mailbox outside MyGov's scope (see the README)")
        if app.config["MYGOV_ENV"] == "production":
            return Finding("exchange scope", False, detail)
        return Finding("exchange scope", True, "not checked: " + detail)
    try:
        graph_client().get(f"/users/{segment(probe)}/events", params={"$top": 1, "$select": "id"})
    except GraphNotFound:
        return Finding("exchange scope", False, f"{probe} (EXCHANGE_SCOPE_PROBE_MAILBOX) is not a mailbox in the "
                       "tenant: name one that exists and is outside MyGov's scope")
    except GraphError as error:
        if refused_by_exchange_scope(error):
            return Finding("exchange scope", True, f"Exchange refuses MyGov the calendar of {probe}, outside its "
                           "scope, as it should")
        return Finding("exchange scope", False, f"probing {probe} gave an unexpected answer: {error.message}")
    except (ValueError, OSError) as error:
        return Finding("exchange scope", False, _unreachable(app, error))
    return Finding("exchange scope", False, f"MyGov can read the calendar of {probe}, a mailbox that should be "
                   "outside its scope: the app can read and write every mailbox in the tenant. Ask IT to "
                   "scope it with Exchange RBAC for Applications and remove the tenant-wide consent (README)")


CHECKS: tuple[Callable[[Flask], Finding], ...] = (
    _configuration, _database, _redis, _workers, _graph, _mail_sender, _exchange_scope,
)


def diagnose(app: Flask) -> list[Finding]:
    return [check(app) for check in CHECKS]
