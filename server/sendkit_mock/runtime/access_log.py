"""The access log `serve` writes: uvicorn's line, written in batches.

uvicorn's access log goes through `logging` once per request (a lock, a formatter and a write to stdout
each time, with the GIL released and fought for again around the write); it cost 40% of the throughput of a
ready report's GET. This middleware formats the same line and hands it to the event loop, which writes what
gathered in one call a few milliseconds later, so a request never waits on the terminal.
"""

from __future__ import annotations

import asyncio
import sys
import time
from http import HTTPStatus
from typing import Any, TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..credentials import masked_query

FLUSH_AFTER_S = 0.05
TARGET_LIMIT = 2_048  # characters of a request's path and query in its line


class AccessLog:
    def __init__(self, app: ASGIApp, out: TextIO | None = None) -> None:
        self.app = app
        self.out = out
        self._lines: list[str] = []
        self._scheduled = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [0]

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, watch)
        finally:
            self._add(scope, status[0], time.perf_counter() - started)

    def _add(self, scope: Scope, status: int, seconds: float) -> None:
        client = scope.get("client")
        where = f"{client[0]}:{client[1]}" if client else "-"
        query = scope.get("query_string", b"")
        target = scope.get("raw_path", scope["path"].encode()).decode("latin-1") + (
            "?" + masked_query(query.decode("latin-1")) if query else "")  # no credential in a log line
        if len(target) > TARGET_LIMIT:  # a line per request, however long the address a client sent
            target = target[:TARGET_LIMIT] + "…"
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        self._lines.append(f'INFO:     {where} - "{scope["method"]} {target} HTTP/{scope.get("http_version", "1.1")}"'
                           f" {status} {phrase} {seconds * 1000:.1f}ms\n")
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_later(FLUSH_AFTER_S, self.flush)

    def flush(self, *_: Any) -> None:
        self._scheduled = False
        lines, self._lines = self._lines, []
        if lines:
            out = self.out or sys.stdout
            out.write("".join(lines))
            out.flush()
