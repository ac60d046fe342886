"""The methods openapi.yaml documents per path: the `Allow` header of a 405, and CORS preflight answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class AllowedMethods:
    """Path -> the documented methods (plus HEAD wherever GET is, see `HeadAsGet`), or None if unknown.

    The router's own 405 names only the first operation that matched the path (`Allow: POST` on a path
    that also has GET), so the answer is taken from the contract instead.
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        servers = spec.get("servers") or [{"url": "/"}]
        base = urlsplit(str(servers[0].get("url", "/"))).path.rstrip("/")
        self._routes: list[tuple[re.Pattern[str], str]] = []
        for template, item in (spec.get("paths") or {}).items():
            methods = {m.upper() for m in item if m in HTTP_METHODS}
            if "GET" in methods:
                methods.add("HEAD")
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(base + template))
            self._routes.append((re.compile(f"^{pattern}$"), ", ".join(sorted(methods))))

        # The most literal template wins: /v1/reports/recipients before /v1/reports/{id}.
        self._routes.sort(key=lambda route: route[0].pattern.count("[^/]+"))
        every = {m for _, allow in self._routes for m in allow.split(", ")}
        self.every_method = ", ".join(sorted(every))

    def __call__(self, path: str) -> str | None:
        for pattern, allow in self._routes:
            if pattern.match(path):
                return allow
        return None


class MethodGuard:
    """405 before routing when the contract's best match for the path lacks the method.

    Without it `DELETE /v1/reports/recipients` reaches `DELETE /v1/reports/{id}` and answers 400 for the id.
    """

    def __init__(self, app: ASGIApp, allowed: AllowedMethods) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            allow = self.allowed(scope["path"])
            if allow is not None and scope["method"] not in allow.split(", "):
                raise HTTPException(405, headers={"Allow": allow})
        await self.app(scope, receive, send)


class ContractCors:
    """CORS whose preflight answers list the methods the contract has for the path, not every HTTP method."""

    def __init__(self, app: ASGIApp, allowed: AllowedMethods, origins: list[str]) -> None:
        self.app = app
        self.allowed = allowed
        self._by_allow: dict[str, CORSMiddleware] = {}
        self._origins = origins
        self._default = self._cors(allowed.every_method)

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
        allow = self.allowed(scope["path"])
        await (self._cors(allow) if allow else self._default)(scope, receive, send)
