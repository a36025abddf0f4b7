"""A notification URL for tests: answers Graph's validation handshake and keeps every post."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask, Response, request
from werkzeug.serving import make_server


class NotificationReceiver:
    """`mode`: "ok" (echo the token, 202 to posts), "wrong-token", "html", "slow",
    "fail" (500 to change notifications)."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.slow_seconds = 1.0
        self.posts: list[dict[str, Any]] = []
        self.validations: list[str] = []
        app = Flask(__name__)
        app.add_url_rule("/notify", "notify", self._notify, methods=["POST"])
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/notify"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _notify(self) -> Response:
        token = request.args.get("validationToken")
        if self.mode == "slow":
            time.sleep(self.slow_seconds)
        if token is not None:
            self.validations.append(token)
            if self.mode == "wrong-token":
                return Response(token + "x", mimetype="text/plain")
            if self.mode == "html":
                return Response(token, mimetype="text/html")
            return Response(token, mimetype="text/plain")
        body = request.get_json()
        if self.mode == "fail" and not any("lifecycleEvent" in item for item in body["value"]):
            return Response(status=500)  # change notifications fail; lifecycle ones get through
        self.posts.append(body)
        return Response(status=202)

    def items(self) -> list[dict[str, Any]]:
        return [item for post in self.posts for item in post["value"]]

    def wait_for(self, count: int, seconds: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.time() + seconds
        while len(self.items()) < count and time.time() < deadline:
            time.sleep(0.02)
        return self.items()

    def stop(self) -> None:
        self._server.shutdown()
