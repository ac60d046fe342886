"""ASGI guards that run before routing: what connexion would otherwise turn into a 500."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ApiError, NotFound

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class RequestGuard:
    """404 for control characters in the path; 413 for bodies over the limit, declared or streamed."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _CONTROL.search(scope["path"]):
            raise NotFound()
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            raise ApiError(status=413 if declared.isdigit() else 400)
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body_bytes:
                raise ApiError(status=413)
            return message

        await self.app(scope, counting_receive, send)
