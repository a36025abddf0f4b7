"""Settings from the environment, with safe defaults for the embedded mode.

Embedded mode (the default) needs nothing installed: SQLite under `instance/`, an in-process
fakeredis with a worker thread, and the dev tenant standing in for Entra and Graph.
Production (`MYGOV_ENV=production`) refuses to start until every real setting is given.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

DEV_SECRET_KEY = "dev-only-secret-key-change-me"
DEV_TENANT_ID = "7f3c6a1e-0d5b-4c8e-9a2f-3b1d2c4e5f60"
DEV_CLIENT_ID = "3d0b5c7e-6a1f-4e2b-9c8d-0a1b2c3d4e5f"
DEV_CLIENT_SECRET = "dev-tenant-client-secret"
DEV_TENANT_PORT = "5443"


def dev_tenant_host(port: str | int = DEV_TENANT_PORT) -> str:
    return f"https://127.0.0.1:{port}"


DEV_PUBLIC_BASE_URL = "http://127.0.0.1:5000"
# Names a developer reaches the embedded server by; production trusts PUBLIC_BASE_URL's host only.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
# Values of deploy/mygov.env.example and the docs that must never reach production: a key copied
# from the example file is public knowledge.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "example", "password", "secret-key", "xxxx", "...")
NIL_GUID = "00000000-0000-0000-0000-000000000000"
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a runnable deployment."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("MYGOV_ENV", "development", "development | test | production"),
    Setting("SECRET_KEY", DEV_SECRET_KEY, "signs sessions, CSRF tokens and citizen manage links"),
    Setting("DATABASE_URL", None, "SQLAlchemy URL; default SQLite file instance/mygov.db"),
    Setting("REDIS_URL", None, "Redis for RQ; unset = in-process fakeredis + worker thread"),
    Setting("CITY_NAME", "City of Auburn", "shown on public pages"),
    Setting("CITY_DOMAIN", "auburnal.gov", "mail domain of the city's tenant"),
    Setting("CITY_TIMEZONE", "America/Chicago", "IANA zone for schedules and public times"),
    Setting("ENTRA_TENANT_ID", DEV_TENANT_ID, "the city's Entra tenant GUID"),
    Setting("ENTRA_CLIENT_ID", DEV_CLIENT_ID, "MyGov's app registration (client) id"),
    Setting("ENTRA_CLIENT_SECRET", DEV_CLIENT_SECRET, "client secret (or use a certificate)"),
    Setting("ENTRA_CLIENT_CERT_PATH", None, "PEM private key of the app, with its certificate or alone"),
    Setting("ENTRA_CLIENT_CERT_THUMBPRINT", None, "SHA-1 thumbprint of that certificate"),
    Setting("DEVTENANT_PORT", DEV_TENANT_PORT, "port of the embedded dev tenant (https://127.0.0.1:PORT)"),
    Setting("ENTRA_AUTHORITY_HOST", None, "https://login.microsoftonline.com in production; default the dev tenant"),
    Setting("GRAPH_BASE_URL", None, "https://graph.microsoft.com/v1.0 in production; default the dev tenant's"),
    Setting("OIDC_METADATA_URL", None, "OpenID discovery document; default the ENTRA_* tenant's v2.0 one"),
    Setting("OIDC_CLIENT_ID", None, "client id for staff sign-in; default ENTRA_CLIENT_ID"),
    Setting("OIDC_CLIENT_SECRET", None, "client secret for staff sign-in; default ENTRA_CLIENT_SECRET"),
    Setting("OIDC_TENANT_ID", None, "the only `tid` accepted at sign-in; default ENTRA_TENANT_ID"),
    Setting("OIDC_CA_BUNDLE", None, "CA file for the identity provider; default GRAPH_CA_BUNDLE for the ENTRA_* one"),
    Setting("OIDC_SCOPES", "openid profile email", "scopes asked for at sign-in"),
    Setting("STAFF_SESSION_HOURS", "10", "a staff sign-in lasts this long, then Entra is asked again"),
    Setting("ACCESS_GROUP_NAME_PATTERN", "mygov-{module}-{role}", "Entra group name of a role (agree with IT)"),
    Setting("ACCESS_SCOPED_GROUP_NAME_PATTERN", "mygov-{module}-{role}-{scope}",
            "Entra group name of a role held for one facility, calendar or department ({scope}: its short name)"),
    Setting("FACILITIES_ROOM_ADDRESS_PATTERN", "rm_{abbr}_{room}@{domain}",
            "address of a provisioned room mailbox: {abbr} building abbreviation, {room} room name, {domain}"),
    Setting("GRAPH_CA_BUNDLE", None, "CA file to trust (the dev tenant's local CA)"),
    Setting("GRAPH_MAX_ATTEMPTS", "5", "tries per Graph call on 429/503/504 before the outbox reschedules it"),
    Setting("GRAPH_MAX_RETRY_WAIT_SECONDS", "60", "longest Retry-After wait inside one call"),
    Setting("OUTBOX_MAX_ATTEMPTS", "8", "attempts before an outbox operation is dead and admins are told"),
    Setting("SERVER_JOB_RUN_RETENTION_DAYS", "30",
            "server job runs older than this are deleted by the job \"Prune run history\" (its keep_days overrides)"),
    Setting("OUTBOX_JOB_TIMEOUT_SECONDS", "480",
            "a worker stops an operation after this; above GRAPH_MAX_ATTEMPTS x (30 s + GRAPH_MAX_RETRY_WAIT_SECONDS)"),
    Setting("OUTBOX_LEASE_SECONDS", "540",
            "a running operation not finished by then is released by the sweeper; above OUTBOX_JOB_TIMEOUT_SECONDS"),
    Setting("GROUP_REPLICATION_GRACE_SECONDS", "900",
            "a group member change that 404s this soon after it was queued is retried (new groups replicate)"),
    Setting("EXCHANGE_SCOPE_RETRY_SECONDS", "3600",
            "a write Exchange refuses as outside MyGov's scope waits this long before it is tried again"),
    Setting("EXCHANGE_SCOPE_PROBE_MAILBOX", None,
            "a mailbox outside MyGov's Exchange scope; `flask mygov doctor` expects Graph to refuse it"),
    Setting("TEAMS_WEBHOOK_URL", None, "Teams Workflows webhook for platform alerts (a credential: env only)"),
    Setting("FREEBUSY_CACHE_SECONDS", "20", "how old a room's free/busy may be on public pages (submit checks afresh)"),
    Setting("FREEBUSY_LIVE_CACHE_SECONDS", "3600",
            "the same for a room whose change notifications are live (a notification drops it at once)"),
    Setting("POLL_SAFETY_NET_HOURS", "24",
            "with live change notifications, a polling job (directory, bounces, Outlook changes) runs once this often"),
    Setting("BOOKING_CONFIRM_MINUTES", "60",
            "a citizen's booking is released unless they confirm their email address within this; 0 = no confirmation"),
    Setting("BOOKING_MAX_OPEN_PER_ADDRESS", "3", "open (unfinished) booking requests one email address may hold"),
    Setting("BOOKING_MAX_OPEN_PER_CLIENT", "3", "open booking requests one client (network address) may hold"),
    Setting("BOOKING_MAX_ADDRESSES_PER_HOUR", "3", "email addresses one client may make MyGov write to in an hour"),
    Setting("PUBLIC_PAGE_CACHE_SECONDS", "60",
            "longest the home page, a public calendar page or a room's page is reused (each shows changes at once anyway)"),
    Setting("RATELIMIT_ENABLED", "true", "per-client limits on public forms; false only for load tests"),
    Setting("IMAGE_STORE_DIR", None, "folder for employee photos; default instance/images"),
    Setting("PHOTO_UPLOAD_MAX_BYTES", "2097152", "largest employee photo staff may upload, in bytes"),
    Setting("IMAGE_MAX_PIXELS", "25000000", "largest photo (width x height) MyGov decodes; larger ones are refused"),
    Setting("MAIL_SENDER", "noreply@auburnal.gov", "mailbox MyGov sends from"),
    Setting("PUBLIC_BASE_URL", DEV_PUBLIC_BASE_URL,
            "https address citizens use: every absolute link, and the only Host accepted in production"),
    Setting("TRUSTED_PROXY_COUNT", "0",
            "reverse proxies in front of the web process whose X-Forwarded-For/-Proto are believed"),
    Setting("TRUSTED_PROXY_ADDRESSES", "127.0.0.1,::1",
            "addresses/networks the nearest proxy connects from; forwarded headers from anyone else are ignored"),
    Setting("MAX_CONTENT_LENGTH", "8388608", "largest request body accepted, in bytes (larger: 413)"),
    Setting("GRAPH_NOTIFICATION_URL", None,
            "public HTTPS URL of /graph/notifications for Graph change notifications; unset = polling"),
    Setting("METRICS_TOKEN", None, "bearer token Prometheus sends; unset = /metrics from loopback only"),
    Setting("LOG_FORMAT", None, "json for JSON logs outside production (always JSON in production)"),
)


def _env(environ: Mapping[str, str], name: str, default: str | None) -> str | None:
    value = environ.get(name)
    return value if value not in (None, "") else default


def load_config(environ: Mapping[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables (and explicit overrides)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {s.name: _env(environ, s.name, s.default) for s in SETTINGS}
    values.update({k: v for k, v in overrides.items() if k in values})
    dev_host = dev_tenant_host(values["DEVTENANT_PORT"])
    values["ENTRA_AUTHORITY_HOST"] = values["ENTRA_AUTHORITY_HOST"] or dev_host
    values["GRAPH_BASE_URL"] = values["GRAPH_BASE_URL"] or f"{dev_host}/v1.0"
    env = values["MYGOV_ENV"]
    if env not in {"development", "test", "production"}:
        raise ConfigError(f"MYGOV_ENV must be development, test or production, not {env!r}")

    if env == "production":
        _refuse_unsafe_production(environ, values)
    if int(values["OUTBOX_LEASE_SECONDS"]) <= int(values["OUTBOX_JOB_TIMEOUT_SECONDS"]):
        # Otherwise the sweeper could hand a row to a second worker while the first still runs it.
        raise ConfigError("OUTBOX_LEASE_SECONDS must be longer than OUTBOX_JOB_TIMEOUT_SECONDS")

    database_url = values["DATABASE_URL"] or f"sqlite:///{INSTANCE_DIR / 'mygov.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    values["DATABASE_URL"] = database_url
    devtenant = values["ENTRA_AUTHORITY_HOST"] == dev_host
    if devtenant and not values["GRAPH_CA_BUNDLE"]:
        values["GRAPH_CA_BUNDLE"] = str(INSTANCE_DIR / "devtenant" / "ca.pem")

    _derive_sign_in_settings(values)

    config: dict[str, Any] = {
        **values,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "EMBEDDED_QUEUE": values["REDIS_URL"] is None,
        "USE_DEVTENANT": devtenant,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure whenever the site is served over https, not only in production (a staging site).
        "SESSION_COOKIE_SECURE": env == "production" or str(values["PUBLIC_BASE_URL"]).startswith("https://"),
        "WTF_CSRF_TIME_LIMIT": None,
        "TESTING": env == "test",
        "RATELIMIT_ENABLED": str(values["RATELIMIT_ENABLED"]).lower() not in ("false", "0", "no", "off"),
        "TRUSTED_HOSTS": trusted_hosts(values["PUBLIC_BASE_URL"], production=env == "production"),
        "TRUSTED_PROXY_COUNT": int(values["TRUSTED_PROXY_COUNT"]),
        "MAX_CONTENT_LENGTH": int(values["MAX_CONTENT_LENGTH"]),
    }
    config.update({k: v for k, v in overrides.items() if k not in values})
    return config


def trusted_hosts(public_base_url: str, production: bool) -> list[str]:
    """Flask answers 400 to any other Host, so nothing built from the request can name another site."""
    host = urlsplit(public_base_url).hostname or ""
    return [host] if production else [host, *(h for h in LOOPBACK_HOSTS if h != host)]


def _derive_sign_in_settings(values: dict[str, Any]) -> None:
    """Sign-in uses the app registration of ENTRA_* unless another OpenID provider is configured."""
    if not values["OIDC_METADATA_URL"]:
        authority = f"{values['ENTRA_AUTHORITY_HOST'].rstrip('/')}/{values['ENTRA_TENANT_ID']}/v2.0"
        values["OIDC_METADATA_URL"] = f"{authority}/.well-known/openid-configuration"
        values["OIDC_CA_BUNDLE"] = values["OIDC_CA_BUNDLE"] or values["GRAPH_CA_BUNDLE"]
    values["OIDC_CLIENT_ID"] = values["OIDC_CLIENT_ID"] or values["ENTRA_CLIENT_ID"]
    values["OIDC_CLIENT_SECRET"] = values["OIDC_CLIENT_SECRET"] or values["ENTRA_CLIENT_SECRET"]
    values["OIDC_TENANT_ID"] = values["OIDC_TENANT_ID"] or values["ENTRA_TENANT_ID"]


def _engine_options(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite"):
        # Several threads (web + embedded worker) share the file; wait rather than fail on locks.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def _refuse_unsafe_production(environ: Mapping[str, str], values: dict[str, Any]) -> None:
    missing = production_problems(environ, values)
    if missing:
        raise ConfigError(
            "MyGov will not start in production without: " + "; ".join(missing)
        )


def production_problems(environ: Mapping[str, str], values: Mapping[str, Any]) -> list[str]:
    """What production would refuse in these settings (`flask mygov doctor` reports it in any mode)."""
    missing: list[str] = []
    if values["SECRET_KEY"] == DEV_SECRET_KEY or not _real_secret(values["SECRET_KEY"]):
        missing.append(f"SECRET_KEY (a random value of at least {MIN_SECRET_LENGTH} characters, "
                       "not the example file's)")
    if values.get("METRICS_TOKEN") and not _real_secret(values["METRICS_TOKEN"]):
        missing.append(f"METRICS_TOKEN (a random value of at least {MIN_SECRET_LENGTH} characters, "
                       "not the example file's)")
    if _placeholder(values["DATABASE_URL"] or ""):
        missing.append("DATABASE_URL (the real password, not the example file's)")
    public = urlsplit(values["PUBLIC_BASE_URL"] or "")
    if ("PUBLIC_BASE_URL" not in environ or public.scheme != "https" or not public.hostname
            or public.hostname in LOOPBACK_HOSTS or _placeholder(public.hostname)):
        missing.append("PUBLIC_BASE_URL (the https address citizens use, e.g. https://mygov.auburnal.gov)")
    if not (values["DATABASE_URL"] or "").startswith(("postgresql", "postgres")):
        missing.append("DATABASE_URL (a PostgreSQL URL)")
    if not values["REDIS_URL"]:
        missing.append("REDIS_URL")
    for name, dev_value in (
        ("ENTRA_TENANT_ID", DEV_TENANT_ID),
        ("ENTRA_CLIENT_ID", DEV_CLIENT_ID),
        ("ENTRA_AUTHORITY_HOST", dev_tenant_host(values.get("DEVTENANT_PORT") or DEV_TENANT_PORT)),
    ):
        if values[name] in (dev_value, NIL_GUID) or name not in environ:
            missing.append(f"{name} (the city's real Entra setting, not the dev tenant's)")
    if values["GRAPH_BASE_URL"].startswith("https://127.0.0.1:"):
        missing.append("GRAPH_BASE_URL (https://graph.microsoft.com/v1.0)")
    has_secret = (environ.get("ENTRA_CLIENT_SECRET") and values["ENTRA_CLIENT_SECRET"] != DEV_CLIENT_SECRET
                  and not _placeholder(values["ENTRA_CLIENT_SECRET"]))
    has_cert = values["ENTRA_CLIENT_CERT_PATH"] and values["ENTRA_CLIENT_CERT_THUMBPRINT"]
    if not (has_secret or has_cert):
        missing.append("ENTRA_CLIENT_SECRET or ENTRA_CLIENT_CERT_PATH + ENTRA_CLIENT_CERT_THUMBPRINT")
    return missing


def _placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def _real_secret(value: str | None) -> bool:
    """Long enough to resist guessing, not a documented placeholder, not one character repeated."""
    value = value or ""
    return len(value) >= MIN_SECRET_LENGTH and not _placeholder(value) and len(set(value)) > 8
