"""An in-memory users delta endpoint following graph-contract §3.2, for the bulk-apply tests."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


class FakeDeltaExpired(Exception):
    pass


@dataclass
class FakePage:
    users: list[dict[str, Any]]
    delta_link: str | None


@dataclass
class FakeDirectory:
    page_size: int = 3
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)  # what each later round reports
    generation: int = 0
    expire_after_pages: int | None = None  # the delta state expires once this many pages were served
    requests: int = 0

    def add(self, name: str, **props: Any) -> str:
        oid = str(uuid.uuid4())
        self.users[oid] = {"id": oid, "displayName": name, "accountEnabled": True, **props}
        self.changes.append(self.users[oid])
        return oid

    def change(self, oid: str, **props: Any) -> None:
        self.users[oid].update(props)
        self.changes.append(dict(self.users[oid]))

    def remove(self, oid: str) -> None:
        del self.users[oid]
        self.changes.append({"id": oid, "@removed": {"reason": "deleted"}})

    def users_delta(self, delta_link: str | None = None) -> Iterator[FakePage]:
        if delta_link is not None and int(delta_link.rsplit("=", 1)[1]) != self.generation:
            raise FakeDeltaExpired(delta_link)
        items = list(self.users.values()) if delta_link is None else list(self.changes)
        generation = self.generation
        for start in range(0, max(len(items), 1), self.page_size):
            self.requests += 1
            if self.expire_after_pages is not None and self.requests > self.expire_after_pages:
                self.expire_after_pages = None
                self.generation += 1
                raise FakeDeltaExpired("syncStateNotFound")
            last = start + self.page_size >= len(items)
            if last:
                self.changes = []
            yield FakePage(items[start:start + self.page_size],
                           f"https://graph.test/users/delta?$deltatoken={generation}" if last else None)
