"""The methods the documents give a path: the 405 before routing, and CORS for the `/v1` API (preflights that
list the documented methods, answers that expose the documented headers, credentials for named origins)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import BadRequest, Detail
from ..spec.operations import HTTP_METHODS
from ..spec.refs import deref
from .admin import is_control
from .incoming import incoming

MOCK_HEADERS = "x-sendkit-mock-answer-headers"  # the mock document's list of what it adds to /v1 answers


class MethodGuard:
    """405 before routing when the documents' best match for the path lacks the method (its `Allow` lists the
    documented methods; the router's own 405 names only the first operation that matched the path).

    Without it `DELETE /v1/reports/recipients` reaches `DELETE /v1/reports/{id}` and answers 400 for the id.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            route = incoming(scope).route
            if route is not None and route.operation(scope["method"]) is None:
                raise HTTPException(405, headers={"Allow": route.allow})
        await self.app(scope, receive, send)


def answer_headers(documents: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every header the documents give an answer (`Retry-After`, `X-RateLimit-*`, `Allow`, ...) and those the
    mock's document says it adds to `/v1` answers (`Preference-Applied`), sorted: what a script may read."""
    names = {"Allow"}
    for document in documents:
        names.update(str(entry["name"]) for entry in document.get(MOCK_HEADERS, []))
        for item in document.get("paths", {}).values():
            for method, operation in deref(document, item).items():
                if method not in HTTP_METHODS:
                    continue
                for response in operation.get("responses", {}).values():
                    names.update(deref(document, response).get("headers", {}))
    return sorted(names, key=str.lower)


class ContractCors:
    """CORS whose preflight answers list the methods the documents have for the path, not every HTTP method,
    whose answers expose every documented header (a frontend reads `Retry-After` after a 429), and which allows
    credentials (the `sendkit_mock_session` cookie) to the origins `--cors-origins` names, never to `*`: with
    `*`, Starlette would answer a request carrying a cookie with its own origin, granting it to every page."""

    def __init__(self, app: ASGIApp, every_method: str, origins: list[str], expose: list[str]) -> None:
        self.app = app
        self._by_allow: dict[str, CORSMiddleware] = {}
        self._origins = origins
        self._every = every_method
        self._expose = expose
        self._credentials = "*" not in origins

    def _cors(self, allow: str) -> CORSMiddleware:
        if allow not in self._by_allow:
            self._by_allow[allow] = CORSMiddleware(
                self.app, allow_origins=self._origins, allow_methods=allow.split(", "), allow_headers=["*"],
                expose_headers=self._expose, allow_credentials=self._credentials,
            )
        return self._by_allow[allow]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if is_control(scope["path"]):  # no grant to another origin: OwnOrigin refuses it (admin.py)
            await self.app(scope, receive, send)
            return
        if not any(name == b"origin" for name, _ in scope["headers"]):  # not a browser's cross-origin call
            await self.app(scope, receive, _vary_origin(send))
            return
        route = incoming(scope).route
        await self._cors(route.allow if route is not None else self._every)(scope, receive, _shaped(send))


def _vary_origin(send: Send) -> Send:
    """What Starlette's CORS adds to an answer to a request without `Origin`, without its cost per request:
    `Vary: Origin`, joined to the answer's own `Vary` in one header (a cache keeps answers apart by origin)."""

    async def varied(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            vary = [value for name, value in headers if name.lower() == b"vary"]
            kept = [(name, value) for name, value in headers if name.lower() != b"vary"] if vary else headers
            message = {**message, "headers": [*kept, (b"vary", b", ".join([*vary, b"Origin"]))]}
        await send(message)

    return varied


def _shaped(send: Send) -> Send:
    """Starlette's refusal of a preflight (a method or header it does not allow) is plain text: the same 400
    in SendKit's shape, with the CORS headers it carried."""
    refused: list[Message] = []

    async def shaped(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 400:
            headers = dict(message.get("headers", []))
            if headers.get(b"content-type", b"").startswith(b"text/plain"):
                refused.append(message)
                return
        if refused and message["type"] == "http.response.body":
            text = message.get("body", b"").decode("utf-8", "replace")
            field = "Access-Control-Request-" + ("Headers" if "header" in text.lower() else "Method")
            body = json.dumps(BadRequest(f"CORS preflight refused: {text}", details=[Detail(field, text)]).body(),
                              separators=(",", ":")).encode()
            kept = [(k, v) for k, v in refused[0].get("headers", []) if k not in (b"content-type", b"content-length")]
            await send({**refused[0], "headers": [*kept, (b"content-type", b"application/json"),
                                                  (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await send(message)

    return shaped
