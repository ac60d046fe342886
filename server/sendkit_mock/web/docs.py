"""The contract as written, at `/openapi.json` and `/openapi.yaml`, and a home page at `/` that leads to it.

connexion serves a fully dereferenced copy (no `$ref` left, so a client generated from the live URL loses
every named type) with an empty `servers` URL. This serves the file itself: the same document, with one
`servers` entry naming where this mock was reached, so Swagger UI's Servers list and generated clients point
at it.
"""

from __future__ import annotations

import html
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
    """GET `/openapi.json`, `/openapi.yaml` and `/`; everything else passes through."""

    def __init__(self, app: ASGIApp, contract: Contract, home: str) -> None:
        self.app = app
        self.contract = contract
        self.home = home

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = scope["path"] if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") else None
        if route == "/openapi.json":
            await _answer(send, 200, "application/json", self.contract.as_json(base_url(scope)))
        elif route == "/openapi.yaml":
            await _answer(send, 200, "application/yaml; charset=utf-8", self.contract.as_yaml(base_url(scope)))
        elif route == "/":
            page = self.home.replace("{{base}}", html.escape(base_url(scope)))
            await _answer(send, 200, "text/html; charset=utf-8", page.encode())
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


def home_page(title: str, key: str) -> str:
    """A small page for a person who opens the printed URL: where the docs are and a first call to try."""
    key = html.escape(key)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d2330}}
code,pre{{font:14px ui-monospace,monospace;background:#f3f4f7;border-radius:4px}}pre{{padding:.8rem;overflow:auto}}
a{{color:#2450c8}}li{{margin:.3rem 0}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>An offline, stateful mock of the SendKit Reports API: API keys and scopes, SendKit's error shape, and reports
that go <code>queued</code> &rarr; <code>processing</code> &rarr; <code>ready</code> on a clock.</p>
<ul>
<li><a href="/ui/">Swagger UI</a>: every operation, with examples that work against this mock ("Try it out")</li>
<li><a href="/openapi.yaml">openapi.yaml</a> and <a href="/openapi.json">openapi.json</a>: the contract as
written, for client generators and contract tests</li>
</ul>
<h2>Try it</h2>
<pre>curl -s -X POST {{{{base}}}}/v1/reports \\
  -H "Content-Type: application/json" \\
  -H "X-Api-Key: {key}" \\
  -d '{{"reportType":"campaign","campaignIds":["664f0a1b2c3d4e5f6a7b8c01","664f0a1b2c3d4e5f6a7b8c02"]}}'</pre>
<p>Then poll <code>GET {{{{base}}}}/v1/reports/&lt;id&gt;</code> with the same key until <code>status</code>
is <code>ready</code> (about 4 seconds by default).</p>
</body></html>
"""
