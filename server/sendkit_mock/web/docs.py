"""The contract as written, at `/openapi.json` and `/openapi.yaml`.

connexion serves a fully dereferenced copy (no `$ref` left, so a client generated from the live URL loses
every named type) with an empty `servers` URL. This serves the file itself: the same document, with one
`servers` entry naming where this mock was reached, so Swagger UI's Servers list and generated clients point
at it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

_SERVERS_BLOCK = re.compile(r"^servers:\n(?:[ -].*\n)*", re.M)
_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]{1,300}$")  # a Host header fit to echo into a URL


class Contract:
    """The spec file's text and document, and their served forms for one base URL."""

    def __init__(self, text: str, document: Mapping[str, Any]) -> None:
        if not _SERVERS_BLOCK.search(text):
            raise ValueError("openapi.yaml has no top-level servers block to point at this mock")
        self.text = text
        self.document = document
        self._served: dict[tuple[str, str], bytes] = {}

    def servers(self, base_url: str) -> list[dict[str, str]]:
        return [{"url": base_url, "description": "this mock (the real API lives at https://api.sendkit.ai)"}]

    def as_json(self, base_url: str) -> bytes:
        return self._cached("json", base_url, lambda: json.dumps(
            {**self.document, "servers": self.servers(base_url)}, ensure_ascii=False).encode())

    def as_yaml(self, base_url: str) -> bytes:
        def render() -> bytes:
            (entry,) = self.servers(base_url)
            url, description = json.dumps(entry["url"]), json.dumps(entry["description"])
            block = f"servers:\n  - url: {url}\n    description: {description}\n"
            return _SERVERS_BLOCK.sub(lambda _: block, self.text, count=1).encode()

        return self._cached("yaml", base_url, render)

    def _cached(self, kind: str, base_url: str, render: Any) -> bytes:
        key = (kind, base_url)
        if key not in self._served:
            if len(self._served) > 64:  # a client can send any Host: keep the cache small
                self._served.clear()
            self._served[key] = render()
        return self._served[key]


class DocsRoutes:
    """GET `/openapi.json` and `/openapi.yaml`; everything else passes through."""

    def __init__(self, app: ASGIApp, contract: Contract) -> None:
        self.app = app
        self.contract = contract

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = scope["path"] if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") else None
        if route == "/openapi.json":
            await _answer(send, 200, "application/json", self.contract.as_json(base_url(scope)))
        elif route == "/openapi.yaml":
            await _answer(send, 200, "application/yaml; charset=utf-8", self.contract.as_yaml(base_url(scope)))
        else:
            await self.app(scope, receive, send)


def base_url(scope: Scope) -> str:
    """Where the client reached this mock: its scheme and Host header, or the listening socket."""
    host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
    if not _HOST.match(host):
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


async def _answer(send: Send, status: int, content_type: str, body: bytes) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
