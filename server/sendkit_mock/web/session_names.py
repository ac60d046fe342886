"""Which session a request acts on: `X-Mock-Session`, else the cookie `sendkit_mock_session`, else the query
parameter `__session` (for a browser that sets no headers), else `default`.

The handlers take the session as `mock_session`, like `token_info`: looked up once per request
(`Incoming.session`), when the view calls a handler, so only after the key was accepted. `__session` is taken
out of the query before validation, which would refuse it as unknown.
"""

from __future__ import annotations

import re
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl

from starlette.types import Scope

from ..errors import BadRequest

HEADER, COOKIE, QUERY = "X-Mock-Session", "sendkit_mock_session", "__session"
NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


_FOUND = "sendkit_mock.session"  # the name, kept on the scope by the first layer that reads it


def session_name(scope: Scope) -> str | None:
    """The session a request names (header, cookie, then query), None for `default`; 400 for a bad name."""
    if _FOUND in scope:
        return scope[_FOUND]
    headers = dict(scope["headers"])
    name = headers.get(HEADER.lower().encode(), b"").decode("latin-1") or None
    from_query = [v for k, v in mock_parameters(scope) if k == QUERY]
    name = name or _cookie(headers.get(b"cookie", b"").decode("latin-1")) or (from_query[0] if from_query else None)
    if name is not None and not NAME.match(name):
        raise BadRequest.field(HEADER, "Must be 1 to 64 of A-Z a-z 0-9 . _ - (the session's name)")
    scope[_FOUND] = name  # copies of the scope made further in carry it
    return name


def mock_parameters(scope: Scope) -> list[tuple[str, str]]:
    """The query, parsed, where it can hold one of the mock's own `__` parameters (`__session`, `__code`,
    ...); [] where it cannot, which is almost always, and then nothing is parsed."""
    query: bytes = scope.get("query_string", b"")
    if b"__" not in query and b"%" not in query:
        return []
    return parse_qsl(query.decode("latin-1"), keep_blank_values=True)


def _cookie(header: str) -> str | None:
    try:
        jar = SimpleCookie(header)
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None
