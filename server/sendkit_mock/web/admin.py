"""Who may reach the control plane (`/__mock`) and the dashboard (`/`, `/dashboard/`): their own origin, a
name of this server, and, with `--admin-token`, whoever holds the token.

A page the developer visits is the threat on a laptop; a neighbour on a shared host. `OwnOrigin` refuses the
first: another `Origin`, a request a browser marks cross-site (or same-site from another port, but for a link
followed), and a `Host` that names no name of this server (DNS rebinding). `AdminGuard` refuses the second: the
token in `X-Mock-Admin-Token`, or, for a browser that cannot set a header on the page it navigates to, in the
dashboard's cookie. `/?admin_token=<token>` sets that cookie (HttpOnly, SameSite=Strict) and sends the browser
on to the page without the token in its address, the way Jupyter's login link does.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import Detail, Forbidden, Unauthorized

CONTROL_PREFIXES = ("/__mock", "/dashboard/")  # and the page itself, "/"
HEADER = b"x-mock-admin-token"
COOKIE = "sendkit_mock_admin"
LOGIN = "admin_token"  # /?admin_token=<token>
_LOCAL_NAMES = ("localhost",)


def is_control(path: str) -> bool:
    """The control plane and the dashboard: what only the mock's own page and the user's tools may call."""
    return path == "/" or path.startswith(CONTROL_PREFIXES)


class OwnOrigin:
    """The control plane and the dashboard answer only their own origin, so a page the developer visits can
    neither drive nor read them: a request whose `Origin` is another origin, that a browser marks
    `Sec-Fetch-Site: cross-site`, or `same-site` (another port of this host) other than a link followed, is a
    403, and so is a `Host` that is no name of this server (evil.example resolving to 127.0.0.1). Names of this
    server: IP addresses, localhost, names of one label (an attacker's domain has a dot), and `--allowed-hosts`.
    Tools that send no Origin (curl, the pytest plugin, SDKs) are not affected."""

    def __init__(self, app: ASGIApp, allowed_hosts: tuple[str, ...] = ()) -> None:
        self.app = app
        self.allowed = frozenset(name.lower() for name in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_control(scope["path"]):
            headers = dict(scope["headers"])
            host = headers.get(b"host", b"").decode("latin-1").lower()
            if not self._own(host):
                raise Forbidden(f"Host {host[:100]!r} is not a name of this server (--allowed-hosts adds one)",
                                details=[Detail("Host", "Must be an IP address, localhost, a name of one label or an "
                                                     "--allowed-hosts name")])
            origin = headers.get(b"origin", b"").decode("latin-1").lower()
            site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
            followed = headers.get(b"sec-fetch-mode", b"") == b"navigate" and scope["method"] == "GET"
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
    """With an admin token set, the control plane and the dashboard need it: `X-Mock-Admin-Token: <token>`, or
    the dashboard's cookie, which `/?admin_token=<token>` sets. Without it, a 401 in SendKit's shape, or for a
    browser asking for the page, a page that asks for the token."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token.encode() if token else None
        self.cookie = cookie_value(token) if token else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token is None or scope["type"] != "http" or not is_control(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        page = scope["path"] == "/" and scope["method"] in ("GET", "HEAD")
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = next((v for k, v in query if k == LOGIN), None) if page else None
        if given is not None:
            await self._login(scope, send, given, [(k, v) for k, v in query if k != LOGIN])
        elif hmac.compare_digest(headers.get(HEADER, b""), self.token) or self._has_cookie(headers):
            await self.app(scope, receive, send)
        elif page and b"text/html" in headers.get(b"accept", b""):
            await _page(send, 401, _ASK, scope["method"])
        else:
            raise Unauthorized("The control plane needs X-Mock-Admin-Token (serve --admin-token); the dashboard "
                               "opens at /?admin_token=<token>")

    def _has_cookie(self, headers: dict[bytes, bytes]) -> bool:
        raw = headers.get(b"cookie")
        if raw is None:
            return False
        try:
            jar = SimpleCookie(raw.decode("latin-1"))
        except CookieError:
            return False
        morsel = jar.get(COOKIE)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), self.cookie.encode())

    async def _login(self, scope: Scope, send: Send, given: str, rest: list[tuple[str, str]]) -> None:
        """The right token: the cookie, and on to the page without the token in the address (so it is kept in
        neither the history nor a shared link); a wrong one: the page that asks again."""
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self.token or b""):
            await _page(send, 401, _ASK.replace("<p>", "<p><strong>That token is not this mock's.</strong> ", 1),
                        scope["method"])
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        target = "/" + ("?" + urlencode(rest) if rest else "")
        headers = [(b"location", target.encode("latin-1")), (b"cache-control", b"no-store"),
                   (b"set-cookie", f"{COOKIE}={self.cookie}; Path=/; HttpOnly; SameSite=Strict{secure}".encode()),
                   (b"content-length", b"0"), (b"referrer-policy", b"no-referrer")]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def cookie_value(token: str) -> str:
    """What the dashboard's cookie holds: derived from the token, so the token itself is in no cookie jar."""
    return hmac.new(token.encode("utf-8", "surrogateescape"), b"sendkit-mock dashboard", hashlib.sha256).hexdigest()


_ASK = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sendkit-mock: admin token</title>
<meta name="referrer" content="no-referrer"></head>
<body style="font: 16px system-ui, sans-serif; max-width: 36rem; margin: 4rem auto">
<h1>This mock needs its admin token</h1>
<p>It was started with <code>--admin-token</code>. Give the token once; this browser keeps a cookie for this
mock until it closes.</p>
<form method="get" action="/"><label>Admin token <input name="admin_token" type="password" autofocus
required></label> <button>Open the dashboard</button></form>
</body></html>
"""


async def _page(send: Send, status: int, body: str, method: str) -> None:
    encoded = body.encode()
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(encoded)).encode()),
               (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"),
               (b"x-frame-options", b"DENY"), (b"content-security-policy", b"default-src 'none'; style-src "
                                                                           b"'unsafe-inline'; form-action 'self'")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else encoded})

