"""Who may reach the control plane (`/__mock`) and the dashboard (`/`, `/dashboard/`): their own origin, a
name of this server, and, with `--admin-token`, whoever holds the token.

A page the developer visits is the threat on a laptop; a neighbour on a shared host. `OwnOrigin` refuses the
first: another `Origin`, a request a browser marks cross-site, or same-site from another port (but for a link to
the page followed in the top window), and a `Host` that names no name of this server (DNS rebinding).
`AdminGuard` refuses the second: every control call needs `X-Mock-Admin-Token`. The dashboard is a client of the
control plane like any other: the browser is given the token in the address's fragment (`/#admin_token=<token>`,
which no browser sends to a server, so no log keeps it), the page keeps it in this tab's sessionStorage (which
no other origin, another port included, can read) and sends it as the header. No cookie: a cookie is sent to every
port of a host, so a neighbour's server on another port would receive it. With a token the page itself carries
nothing of the world (no key) until the control plane answers it.
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import BadRequest, Detail, Forbidden, Unauthorized

CONTROL_PREFIXES = ("/__mock", "/dashboard/")  # and the page itself, "/"
HEADER = b"x-mock-admin-token"
_LOCAL_NAMES = ("localhost",)


def is_control(path: str) -> bool:
    """The control plane and the dashboard: what only the mock's own page and the user's tools may call."""
    return path == "/" or path.startswith(CONTROL_PREFIXES)


class OwnOrigin:
    """The control plane and the dashboard answer only their own origin, so a page the developer visits can
    neither drive nor read them: a request whose `Origin` is another origin, that a browser marks
    `Sec-Fetch-Site: cross-site`, or `same-site` (another port of this host) other than a link to the page, is a
    403, and so is a `Host` that is no name of this server (evil.example resolving to 127.0.0.1); two `Host`
    headers are a 400 on every path (RFC 9112 §3.2). Names of this
    server: IP addresses, localhost, names of one label (an attacker's domain has a dot), and `--allowed-hosts`.
    Tools that send no Origin (curl, the pytest plugin, SDKs) are not affected."""

    def __init__(self, app: ASGIApp, allowed_hosts: tuple[str, ...] = ()) -> None:
        self.app = app
        self.allowed = frozenset(name.lower() for name in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and sum(1 for name, _ in scope["headers"] if name == b"host") > 1:
            # RFC 9112 §3.2: a 400; one layer reading the first and another the last is how a check is passed
            raise BadRequest("A request names its host once", details=[Detail("Host", "Sent more than once")])
        if scope["type"] == "http" and is_control(scope["path"]):
            headers = dict(scope["headers"])
            host = headers.get(b"host", b"").decode("latin-1").lower()
            if not self._own(host):
                raise Forbidden(f"Host {host[:100]!r} is not a name of this server (--allowed-hosts adds one)",
                                details=[Detail("Host", "Must be an IP address, localhost, a name of one label or an "
                                                     "--allowed-hosts name")])
            origin = headers.get(b"origin", b"").decode("latin-1").lower()
            site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
            # a link to the page followed in the top window; never a frame (clickjacking) nor a control call
            followed = scope["path"] == "/" and scope["method"] == "GET" and headers.get(
                b"sec-fetch-mode") == b"navigate" and headers.get(b"sec-fetch-dest", b"document") == b"document"
            if site == "cross-site" or (site == "same-site" and not followed) or (
                    origin and urlsplit(origin).netloc != host):
                raise Forbidden("The control plane and the dashboard answer only their own origin",
                                details=[Detail("Origin", f"{origin[:100] or 'a ' + site + ' page'} is another "
                                                          "origin")])
        await self.app(scope, receive, send)

    def _own(self, host: str) -> bool:
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.strip("[]")
        if not name or name in self.allowed or name in _LOCAL_NAMES or name.endswith(".localhost"):
            return bool(name)
        if "." not in name and ":" not in name:  # a name of one label (mockbox) resolves only on this network
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True


class AdminGuard:
    """With an admin token set, every `/__mock` call needs `X-Mock-Admin-Token: <token>`; 401 otherwise."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token.encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token is not None and scope["type"] == "http" and scope["path"].startswith("/__mock"):
            given = dict(scope["headers"]).get(HEADER, b"")
            if not hmac.compare_digest(given, self.token):
                raise Unauthorized("The control plane needs X-Mock-Admin-Token (serve --admin-token); the dashboard "
                                   "opens at /#admin_token=<token>")
        await self.app(scope, receive, send)
