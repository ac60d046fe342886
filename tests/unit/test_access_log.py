"""The access log `serve` writes: uvicorn's line per request, gathered and written in one call per batch."""

import asyncio
import io
from typing import Any

import pytest

from sendkit_mock.runtime.access_log import AccessLog


class CountingOut(io.StringIO):
    writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


async def answer(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def test_requests_are_logged_in_one_write_per_batch() -> None:
    out = CountingOut()
    log = AccessLog(answer, out)

    async def two_requests() -> str:
        async def send(message: Any) -> None:
            pass

        for path in ("/v1/reports", "/v1/webhooks"):
            scope = {"type": "http", "method": "POST", "path": path, "query_string": b"limit=2",
                     "client": ("127.0.0.1", 5000), "http_version": "1.1"}
            await log(scope, None, send)
        before = out.getvalue()
        log.flush()  # what the event loop's timer does
        return before

    assert asyncio.run(two_requests()) == ""  # nothing written on a request's path
    lines = out.getvalue().splitlines()
    assert out.writes == 1 and len(lines) == 2
    assert lines[0].startswith('INFO:     127.0.0.1:5000 - "POST /v1/reports?limit=2 HTTP/1.1" 201 Created ')


def _line(path: str, query: bytes) -> str:
    out = io.StringIO()
    log = AccessLog(answer, out)

    async def one() -> None:
        async def send(message: Any) -> None:
            pass

        await log({"type": "http", "method": "GET", "path": path, "query_string": query,
                   "client": ("127.0.0.1", 5000), "http_version": "1.1"}, None, send)

    asyncio.run(one())
    log.flush()
    return out.getvalue()


@pytest.mark.parametrize("query", [b"session=ci&admin_token=s3cret-admin-token", b"session=ci&%61dmin_token=s3cret-admin-token",
                                   b"session=ci&api_key=s3cret-admin-token"])
def test_a_credential_in_an_address_is_not_logged(query: bytes) -> None:
    line = _line("/", query)
    assert "s3cret" not in line and "session=ci&" in line and "=…oken HTTP/1.1" in line


def test_a_long_address_is_cut_in_its_line() -> None:
    line = _line("/v1/reports", b"q=" + b"x" * 100_000)
    assert len(line) < 2_200 and line.count("x") == 2_048 - len("/v1/reports?q=")
