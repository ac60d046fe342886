"""Servers that break the contract on purpose, for the contract check and the proxy to catch: the mock with
one field renamed, one path answering 500 and one status changed."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REPORT = re.compile(r"^/v1/reports/(?!recipients)[^/]+$")
DRIFTS = {  # operation -> the check that must catch it
    "GET /v1/reports/{id}": "response_schema_conformance",  # `status` renamed `state`
    "GET /v1/webhooks": "not_a_server_error",  # a 500 on every call
    "POST /v1/reports/recipients": "status_code_conformance",  # 202 where the contract says 201
}


class Drifted:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if method == "GET" and path == "/v1/webhooks":
            body = json.dumps({"error": "Internal Server Error", "message": "drifted", "code": 500}).encode()
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    await self._answer(method, path, start, b"".join(chunks), send)

        await self.app(scope, receive, hold)

    @staticmethod
    async def _answer(method: str, path: str, start: dict[str, Any], body: bytes, send: Send) -> None:
        status = start["status"]
        if method == "GET" and REPORT.match(path) and status == 200:
            document = json.loads(body)
            document["data"]["state"] = document["data"].pop("status")
            body = json.dumps(document).encode()
        if method == "POST" and path == "/v1/reports/recipients" and status == 201:
            status = 202
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class Refusing:
    """A deployment that refuses the key (an expired secret): 401 in SendKit's shape on every call, or only on
    the operations `only` matches (then the rest is the wrapped app's)."""

    def __init__(self, app: ASGIApp, only: re.Pattern[str] | None = None) -> None:
        self.app, self.only, self.calls = app, only, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.calls += 1
        if self.only is not None and not self.only.match(f"{scope['method']} {scope['path']}"):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": "Unauthorized", "message": "Invalid or missing API key", "code": 401}).encode()
        await send({"type": "http.response.start", "status": 401,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
