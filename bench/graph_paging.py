"""List 20,000 users through the Graph client from the dev tenant.

Prints users/s and the number of HTTP requests beside the minimum possible (pages needed at the
maximum page size), and beside a bare `requests` loop over the same pages in the same run.
"""
from __future__ import annotations

import logging
import math
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import DEV_CLIENT_ID, DEV_CLIENT_SECRET  # noqa: E402
from app.devtenant import DevTenantServer  # noqa: E402
from app.graph import GraphClient, GraphSettings, users  # noqa: E402

USERS = 20_000
PAGE = users.MAX_PAGE


def main() -> None:
    logging.disable(logging.INFO)
    server = DevTenantServer(port=0, cert_dir=Path(tempfile.mkdtemp()))
    control = requests.Session()
    control.trust_env = False
    control.verify = server.ca_path
    control.post(f"{server.url}/_devtenant/users/bulk", json={"count": USERS - 61}, timeout=120).raise_for_status()
    settings = GraphSettings(
        tenant_id=server.tenant_id, client_id=DEV_CLIENT_ID, client_secret=DEV_CLIENT_SECRET,
        authority_host=server.url, graph_base_url=server.graph_base_url, ca_bundle=server.ca_path,
    )
    graph = GraphClient(settings)
    token = graph.tokens.access_token()  # not timed: the same for both runs

    started = time.perf_counter()
    listed = sum(1 for _ in users.list_users(graph, top=PAGE))
    client_seconds = time.perf_counter() - started

    bare = requests.Session()
    bare.trust_env = False
    bare.verify = server.ca_path
    bare.headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    url: str | None = f"{server.graph_base_url}/users?$select={users.USER_SELECT}&$top={PAGE}"
    bare_count = bare_requests = 0
    while url:
        body = bare.get(url, timeout=60).json()
        bare_requests += 1
        bare_count += len(body["value"])
        url = body.get("@odata.nextLink")
    bare_seconds = time.perf_counter() - started
    server.stop()

    minimum = math.ceil(listed / PAGE)
    print(f"{'':28}{'users':>8}{'seconds':>10}{'users/s':>10}{'requests':>10}")
    print(f"{'MyGov Graph client':28}{listed:>8}{client_seconds:>10.2f}{listed / client_seconds:>10.0f}"
          f"{graph.request_count:>10}")
    print(f"{'bare requests loop':28}{bare_count:>8}{bare_seconds:>10.2f}{bare_count / bare_seconds:>10.0f}"
          f"{bare_requests:>10}")
    print(f"{'minimum possible requests':28}{'':>8}{'':>10}{'':>10}{minimum:>10}  (ceil({listed}/{PAGE}))")


if __name__ == "__main__":
    main()
