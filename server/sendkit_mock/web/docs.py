"""The documents as written: SendKit's contract at `/openapi.json` and `/openapi.yaml`, the mock's own API at
`/__mock/openapi.json` and `/__mock/openapi.yaml`.

connexion serves a fully dereferenced copy (no `$ref` left, so a client generated from the live URL loses
every named type) with an empty `servers` URL. This serves each document itself, with one `servers` entry
naming where this mock was reached, so Swagger UI's Servers list and generated clients point at it.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from ..spec import Document, Documents

_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]{1,300}$")  # a Host header fit to echo into a URL


class DocsRoutes:
    """GET `<base>/openapi.json` and `<base>/openapi.yaml` of each document; everything else passes through."""

    def __init__(self, app: ASGIApp, documents: Documents) -> None:
        self.app = app
        self.routes: dict[str, tuple[Document, str]] = {}
        for document in documents:
            self.routes[f"{document.spec_path}.json"] = (document, "json")
            self.routes[f"{document.spec_path}.yaml"] = (document, "yaml")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.routes.get(scope["path"]) if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") \
            else None
        if found is None:
            await self.app(scope, receive, send)
        elif found[1] == "json":
            await _answer(send, 200, "application/json", found[0].as_json(base_url(scope)))
        else:
            await _answer(send, 200, "application/yaml; charset=utf-8", found[0].as_yaml(base_url(scope)))


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
