"""What the mock knows of a request, learned once: its route, its body, its session.

The outermost layer (`Intake`) reads the body once, within the size limit, and hands every layer inside a
replay of it; it matches the path once against the operation index; the session the request names is looked
up once, when a layer first asks. Every layer after it (the guards, CORS, the journal, the simulation, the
views) reads these from `incoming(scope)` instead of doing the work again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ApiError
from ..session.sessions import Session, Sessions
from ..spec import OperationIndex, Route
from .session_names import QUERY, mock_parameters, session_name

KEY = "sendkit_mock.incoming"
CONTEXT_KEY = "mock_incoming"  # the same object in connexion's request context, for the views
UNPARSED: Any = object()
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Incoming:
    # No reference to the scope, which holds this object: a cycle would keep every request's scope and body
    # alive until the cyclic garbage collector ran (the peak RSS of a POST load doubled).
    __slots__ = ("route", "body", "oversize", "parsed", "_name", "_bad_name", "_sessions", "_session")

    def __init__(self, scope: Scope, route: Route | None, sessions: Sessions) -> None:
        self.route = route  # None: no document has the path
        self.body = b""  # as the client sent it (empty when over the limit)
        self.oversize = False  # more than the limit was declared or sent: a 413
        self.parsed: Any = UNPARSED  # the JSON body, once request validation has parsed it (the views take it)
        self._sessions = sessions
        self._session: Session | None = None
        self._bad_name: ApiError | None = None
        try:
            self._name = session_name(scope)
        except ApiError as exc:  # raised where a layer asks for the session, inside the error handlers
            self._name, self._bad_name = None, exc

    @property
    def session(self) -> Session:
        """The session the request names (header, cookie, `__session`), looked up on first use; a bad name is
        a 400 (`ApiError`) each time it is asked for."""
        if self._bad_name is not None:
            raise self._bad_name
        if self._session is None:
            self._session = self._sessions.get(self._name)
        return self._session

    def check_name(self) -> None:
        """A bad session name is a 400 (`ApiError`); a good one is not looked up."""
        if self._bad_name is not None:
            raise self._bad_name

    def existing(self) -> Session | None:
        """The session the request names if it is there, without making it or marking it used: for what a
        request the key check refused may touch (`Sessions.peek`)."""
        self.check_name()
        return self._session if self._session is not None else self._sessions.peek(self._name)


def incoming(scope: Scope) -> Incoming:
    found: Incoming = scope[KEY]
    return found


class Intake:
    """Outermost: the request's `Incoming`, and its body read once (a chunked body gets its length)."""

    def __init__(self, app: ASGIApp, index: OperationIndex, sessions: Sessions, max_body_bytes: int) -> None:
        self.app, self.index, self.sessions, self.limit = app, index, sessions, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = canonical(scope["path"])
        if path != scope["path"]:  # one spelling for every layer: routing, the guards, the journal
            scope["path"], scope["raw_path"] = path, quote(path).encode("ascii")
        found = scope[KEY] = Incoming(scope, self.index.route(path), self.sessions)
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        chunked = declared is None and (scope["method"] in _BODY_METHODS or b"transfer-encoding" in headers)
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            found.oversize = True  # refused by RequestGuard, inside the error handlers, without reading it
        elif chunked or (declared is not None and declared.isdigit() and int(declared) > 0):
            read = await _read(receive, self.limit)
            if read is None:  # the client went, or the body timeout answered 408, before the body's end:
                return  # nothing to handle, and nobody to answer
            found.body, found.oversize = read
            receive = _replay(found.body, receive)
            if chunked and not found.oversize:
                # The length it turned out to have, and no Transfer-Encoding: every reader inside (connexion's
                # validators, Flask) takes the body by its length.
                scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"transfer-encoding"] + [
                    (b"content-length", str(len(found.body)).encode())]
        await self.app(scope, receive, send)


def canonical(path: str) -> str:
    """A path with its duplicate slashes and dot segments resolved (RFC 3986 §5.2.4), so `//__mock/x`,
    `/v1/./reports` and `/v1/x/../reports` reach what they name, through the checks of what they name.
    Percent-encoding is already decoded by the server (`%2F` included)."""
    if "//" not in path and "/." not in path:
        return path
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment not in ("", "."):
            kept.append(segment)
    trailing = "/" if path.endswith(("/", "/.", "/..")) and kept else ""
    return "/" + "/".join(kept) + trailing


async def _read(receive: Receive, limit: int) -> tuple[bytes, bool] | None:
    """The body and whether it went over the limit; None when it never arrived whole (never half-handled)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body in one message, then the server's own messages (the client's disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class SessionSelector:
    """Inside the error handlers, before routing: a bad session name is a 400 here (for a path some document
    has), `__session` goes out of the query, and the request's `Incoming` into connexion's context, where the
    views take the session from it. The session itself is looked up (made, marked used) only when a handler
    asks, after the key check: a refused request makes no session and moves none (issue 26)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = incoming(scope)
            if found.route is not None:
                found.check_name()
            query = mock_parameters(scope)
            if any(k == QUERY for k, _ in query):
                kept = urlencode([(k, v) for k, v in query if k != QUERY]).encode("latin-1")
                scope = {**scope, "query_string": kept}
            context = scope.setdefault("extensions", {}).setdefault("connexion_context", {})
            context[CONTEXT_KEY] = found
        await self.app(scope, receive, send)
