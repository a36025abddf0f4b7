"""The requests session shared by MSAL and the Graph transport.

requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment override a session's own
`verify`; a configured CA (the dev tenant's, or a city's TLS-inspecting proxy CA) must win, so it
is passed on every request. Proxy settings from the environment still apply.
"""
from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter


class GraphHttpSession(requests.Session):
    def __init__(self, verify: str | bool, timeout: float) -> None:
        super().__init__()
        self.verify = verify
        self.default_timeout = timeout
        adapter = HTTPAdapter(pool_connections=16, pool_maxsize=32)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("verify") is None:
            kwargs["verify"] = self.verify
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)
