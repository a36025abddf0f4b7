"""What every dev tenant handler reaches through `current_app`: state, signing key, URLs."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, request

from app.devtenant.jwt import SigningKey
from app.devtenant.notifier import Notifier
from app.devtenant.state import TenantState

GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"


@dataclass
class MailboxSlots:
    """Concurrent requests in flight per mailbox (Outlook allows 4 per app and mailbox)."""

    in_flight: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def try_acquire(self, mailbox: str, limit: int) -> bool:
        with self.lock:
            if self.in_flight[mailbox] >= limit:
                return False
            self.in_flight[mailbox] += 1
            return True

    def release(self, mailbox: str) -> None:
        with self.lock:
            self.in_flight[mailbox] -= 1


@dataclass
class DevTenant:
    state: TenantState
    signing_key: SigningKey
    seed_path: Path
    base_url: str | None = None  # set by the server once its port is known
    slots: MailboxSlots = field(default_factory=MailboxSlots)
    notifier: Notifier | None = None  # started by create_devtenant_app

    def root(self) -> str:
        return (self.base_url or request.url_root).rstrip("/")

    def graph_base(self) -> str:
        return f"{self.root()}/v1.0"

    def issuer(self) -> str:
        return f"{self.root()}/{self.state.tenant_id}/v2.0"


def tenant() -> DevTenant:
    return current_app.extensions["devtenant"]
