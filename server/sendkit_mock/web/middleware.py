"""ASGI guards that run before routing: what connexion would otherwise get wrong or turn into a 500."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ApiError, Detail, NotFound
from ..stores.memo import request_memo
from .incoming import incoming

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BODY_METHODS = {"POST", "PUT", "PATCH"}
_API_BASES = ("/v1/", "/__mock/")


class RequestMemo:
    """With a shared store: the request's memo (memo.py), so the store is read once for what a request needs.
    The store down while a layer outside connexion's handlers reads it is answered by `errors.LastResort`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with request_memo():
            await self.app(scope, receive, send)


class RequestGuard:
    """404 for control characters in the path, and for an API path with a trailing slash; 413 over the body
    limit (`Intake` measured it); 400 for a Content-Length that is no number; 415 for a body without a type,
    or declared in a charset other than UTF-8 (JSON is UTF-8, RFC 8259 §8.1: a body read one way by
    validation and another by a view is how a check and a store disagree)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _CONTROL.search(scope["path"]):
            raise NotFound()
        found = incoming(scope)
        if found.route is None and scope["path"].endswith("/") and scope["path"].startswith(_API_BASES):
            # Starlette would answer a 307 to the path without the slash, built from the Host header: a client
            # that follows it sends its key wherever Host named. SendKit's paths have no trailing slash.
            raise NotFound(details=[Detail("path", f"No such path; without the trailing slash it is "
                                                   f"{scope['path'].rstrip('/')[:200]}")])
        if found.oversize:
            raise too_large(self.max_body_bytes)
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and not declared.isdigit():
            raise ApiError(status=400)
        operation = found.route.operation(scope["method"]) if found.route is not None else None
        takes_body = operation is None or "requestBody" in operation.spec  # else a body is ignored, as sent
        if found.body and scope["method"] in _BODY_METHODS and takes_body:
            if b"content-type" not in headers:
                raise ApiError(status=415)
            charset = _charset(headers[b"content-type"])
            if charset is not None and charset not in ("utf-8", "utf8"):
                raise ApiError(f"The body must be UTF-8 JSON; charset={charset[:40]} is not taken", status=415,
                               details=[Detail("Content-Type", "charset must be utf-8 or left out")])
        await self.app(scope, receive, send)


def _charset(content_type: bytes) -> str | None:
    """The charset a Content-Type declares, lowercased and unquoted; None when it declares none."""
    for param in content_type.decode("latin-1").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def too_large(limit: int) -> ApiError:
    """A 413 that names the limit, so a client knows how far to cut."""
    return ApiError(f"The request body is larger than the {limit:,} bytes this mock takes", status=413,
                    details=[Detail("body", f"At most {limit:,} bytes")])


class HeadAsGet:
    """HEAD answered as GET without the body (RFC 9110 §9.3.2), wherever the contract has a GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
