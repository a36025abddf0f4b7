"""The client's address behind the city's reverse proxies, and only theirs.

Werkzeug's ProxyFix believes the last TRUSTED_PROXY_COUNT entries of X-Forwarded-For/-Proto. It
is applied only to a request whose peer is one of TRUSTED_PROXY_ADDRESSES: a client reaching the
web process directly cannot name itself someone else (and so take another person's rate-limit
bucket, or escape its own).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


class TrustedProxies:
    def __init__(self, wsgi_app: Any, count: int, peers: Iterable[Network]) -> None:
        self.direct = wsgi_app
        self.forwarded = ProxyFix(wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0)
        self.peers = tuple(peers)

    def _from_a_proxy(self, remote_addr: str | None) -> bool:
        try:
            address = ipaddress.ip_address(remote_addr or "")
        except ValueError:
            return False
        return any(address in network for network in self.peers)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self._from_a_proxy(environ.get("REMOTE_ADDR")):
            return self.forwarded(environ, start_response)
        return self.direct(environ, start_response)


def install_trusted_proxies(app: Any) -> None:
    count = app.config["TRUSTED_PROXY_COUNT"]
    if count > 0:
        app.wsgi_app = TrustedProxies(app.wsgi_app, count, parse_networks(app.config["TRUSTED_PROXY_ADDRESSES"]))
