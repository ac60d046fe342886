"""The dashboard: a page at `/` over the control plane, for a person watching a session live.

Plain HTML, CSS and JavaScript shipped in the package (`sendkit_mock/dashboard/`): no build step, nothing fetched
from the network. The page is a client of `/__mock` (and of `/v1` for what its forms create, with a key the
control plane gave it, and `/openapi.json` for those forms' fields); this layer serves its files and nothing else.
"""

from __future__ import annotations

import html
from importlib import resources

from starlette.types import ASGIApp, Receive, Scope, Send

from .docs import base_url

SCRIPT = "text/javascript; charset=utf-8"
ASSETS = {"charts.js": SCRIPT, "forms.js": SCRIPT, "world.js": SCRIPT, "dashboard.js": SCRIPT,
          "dashboard.css": "text/css; charset=utf-8"}
PREFIX = "/dashboard/"


def _read(name: str) -> bytes:
    return (resources.files("sendkit_mock") / "dashboard" / name).read_bytes()


class DashboardRoutes:
    """GET `/` (the page, with this mock's URL and a workspace key for its first example) and its assets."""

    def __init__(self, app: ASGIApp, key: str | None) -> None:
        """`key`: the workspace key the page's first example shows; None with an admin token, so the page
        carries nothing of the world until the control plane answers it (web/admin.py)."""
        self.app = app
        shown = html.escape(key or "<a key of fixtures/world.yaml>")
        self.page = _read("index.html").decode().replace("{{key}}", shown)
        self.assets = {PREFIX + name: (_read(name), kind) for name, kind in ASSETS.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = scope["path"] if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") else None
        if route == "/":
            page = self.page.replace("{{base}}", html.escape(base_url(scope))).encode()
            await _answer(send, "text/html; charset=utf-8", page, scope["method"], framed=False)
        elif route in self.assets:
            body, kind = self.assets[route]
            await _answer(send, kind, body, scope["method"])
        else:
            await self.app(scope, receive, send)


async def _answer(send: Send, content_type: str, body: bytes, method: str, framed: bool = True) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-cache"), (b"x-content-type-options", b"nosniff")]
    if not framed:  # no other page may frame the dashboard and have its buttons clicked (clickjacking)
        headers += [(b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'"),
                    (b"referrer-policy", b"no-referrer")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
