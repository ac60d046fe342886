"""The methods the documents give a path: the 405 before routing, and CORS preflight answers."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import BadRequest, Detail
from .admin import is_control
from .incoming import incoming


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


class ContractCors:
    """CORS whose preflight answers list the methods the documents have for the path, not every HTTP method."""

    def __init__(self, app: ASGIApp, every_method: str, origins: list[str]) -> None:
        self.app = app
        self._by_allow: dict[str, CORSMiddleware] = {}
        self._origins = origins
        self._every = every_method

    def _cors(self, allow: str) -> CORSMiddleware:
        if allow not in self._by_allow:
            self._by_allow[allow] = CORSMiddleware(
                self.app, allow_origins=self._origins, allow_methods=allow.split(", "), allow_headers=["*"],
                expose_headers=["Allow"],
            )
        return self._by_allow[allow]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if is_control(scope["path"]):  # no grant to another origin: OwnOrigin refuses it (admin.py)
            await self.app(scope, receive, send)
            return
        route = incoming(scope).route
        await self._cors(route.allow if route is not None else self._every)(scope, receive, _shaped(send))


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
