"""What the Graph client needs to know, taken from any mapping (the Flask config, os.environ)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
MICROSOFT_AUTHORITY_HOSTS = ("https://login.microsoftonline.com", "https://login.microsoftonline.us")


@dataclass(frozen=True)
class GraphSettings:
    tenant_id: str
    client_id: str
    authority_host: str
    graph_base_url: str
    client_secret: str | None = field(default=None, repr=False)  # never printed
    cert_path: str | None = None
    cert_thumbprint: str | None = None
    ca_bundle: str | None = None
    timeout_seconds: float = 30.0
    # Retries inside one call for 429/503/504; the outbox reschedules beyond that.
    max_attempts: int = 5
    max_retry_wait_seconds: float = 60.0
    max_concurrent_per_mailbox: int = 4

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any], **overrides: Any) -> GraphSettings:
        values = dict(
            tenant_id=config["ENTRA_TENANT_ID"],
            client_id=config["ENTRA_CLIENT_ID"],
            authority_host=config["ENTRA_AUTHORITY_HOST"].rstrip("/"),
            graph_base_url=config["GRAPH_BASE_URL"].rstrip("/"),
            client_secret=config.get("ENTRA_CLIENT_SECRET") or None,
            cert_path=config.get("ENTRA_CLIENT_CERT_PATH") or None,
            cert_thumbprint=config.get("ENTRA_CLIENT_CERT_THUMBPRINT") or None,
            ca_bundle=config.get("GRAPH_CA_BUNDLE") or None,
            max_attempts=int(config.get("GRAPH_MAX_ATTEMPTS") or 5),
            max_retry_wait_seconds=float(config.get("GRAPH_MAX_RETRY_WAIT_SECONDS") or 60),
        )
        values.update(overrides)
        return cls(**values)

    @property
    def authority(self) -> str:
        return f"{self.authority_host}/{self.tenant_id}"

    @property
    def is_microsoft_cloud(self) -> bool:
        return self.authority_host in MICROSOFT_AUTHORITY_HOSTS

    @property
    def verify(self) -> str | bool:
        """requests/MSAL `verify`: the dev tenant's local CA when given, else the system store."""
        return self.ca_bundle or True

