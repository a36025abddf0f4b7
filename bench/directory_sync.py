"""Sync 20,000 users from the dev tenant into PostgreSQL and into SQLite.

Prints users/s for each database and the number of Graph requests beside the number of delta
pages (they must be equal: one request a page, nothing per user). Target: at least 2,000
users/s into PostgreSQL on this machine.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/directory_sync.py
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from harness import services

from app.devtenant import DevTenantServer
from app.graph import DeltaTokenExpired, users
from app.microsoft import graph_client
from app.people.directory_sync import sync_users_delta
from app.people.tasks import GraphDirectory, delta_pages

USERS = 20_000


class CountingDirectory(GraphDirectory):
    """The production source, remembering how many delta pages Graph served."""

    pages = 0

    def users_delta(self, delta_link=None):
        round_ = users.users_delta(self.graph, delta_link)
        yield from delta_pages(round_)
        self.pages += round_.pages


def main() -> None:
    tenant = DevTenantServer(port=0, cert_dir=Path(tempfile.mkdtemp()))
    tenant.control.add_users_bulk(USERS - len(tenant.tenant.state.users))
    rows = []
    try:
        for label, sqlite in (("PostgreSQL", False), ("SQLite", True)):
            with services(sqlite=sqlite, tenant=tenant) as running, running.app.app_context():
                graph = graph_client()
                graph.tokens.access_token()
                before = graph.request_count
                source = CountingDirectory(graph)
                started = time.perf_counter()
                counts = sync_users_delta(source, running.app.config["ENTRA_TENANT_ID"], DeltaTokenExpired)
                seconds = time.perf_counter() - started
                rows.append((label, counts.created, seconds, graph.request_count - before, source.pages))
    finally:
        tenant.stop()
    print(f"{'':12}{'users':>8}{'seconds':>10}{'users/s':>10}{'requests':>10}{'pages':>8}")
    for label, created, seconds, requests, pages in rows:
        print(f"{label:12}{created:>8}{seconds:>10.2f}{created / seconds:>10.0f}{requests:>10}{pages:>8}")
    print("target: >= 2,000 users/s into PostgreSQL, requests == pages")


if __name__ == "__main__":
    main()
