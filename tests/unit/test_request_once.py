"""A request's body is read from the server once and parsed once, its path matched once, its session looked up
once: counted on the real app, through its ASGI interface, with counting fakes in place of each step."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import pytest

from sendkit_mock import Mock, Settings, create_mock
from sendkit_mock.session.sessions import Sessions
from sendkit_mock.spec import OperationIndex
from sendkit_mock.web import validation, views
from tests.conftest import SEED_CAMPAIGNS, WS_KEY

BODY = json.dumps({"reportType": "campaign", "campaignIds": SEED_CAMPAIGNS[:1], "periodStart": "2026-01-01",
                   "periodEnd": "2026-03-31"}).encode()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    calls: Counter[str] = Counter()

    def counting(owner: Any, name: str) -> None:
        real = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)

    counting(OperationIndex, "route")
    counting(Sessions, "get")
    counting(validation, "parse_body")
    counting(views, "parse_body")
    return calls


def call(mock: Mock, method: str, path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]]
         ) -> tuple[int, bytes, int]:
    """The app called as a server would; (status, body, messages the app took from the server)."""
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    taken, sent = [0], []

    async def receive() -> dict[str, Any]:
        taken[0] += 1
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)  # the client is still there: nothing more to read
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"x-api-key", WS_KEY.encode()), *headers],
             "server": ("127.0.0.1", 4010), "client": ("127.0.0.1", 5000)}
    asyncio.run(mock.app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, taken[0]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_post_is_read_parsed_matched_and_placed_in_its_session_once(counted: Counter[str], chunked: bool) -> None:
    mock = create_mock(Settings(queued_seconds=60))
    counted.clear()
    chunks = [BODY[:10], BODY[10:30], BODY[30:]] if chunked else [BODY]
    length = [(b"transfer-encoding", b"chunked")] if chunked else [(b"content-length", str(len(BODY)).encode())]
    status, answer, taken = call(mock, "POST", "/v1/reports", chunks,
                                 [(b"content-type", b"application/json"), *length])
    assert status == 201, answer
    assert taken == len(chunks)  # each message of the body taken from the server once, nothing more
    assert counted == {"route": 1, "get": 1, "parse_body": 1}
    # and the body reached the handler whole: the report is the one asked for
    (report,) = json.loads(answer)["data"]["reports"]
    assert mock.service.store.get(report["id"]).campaign_ids == tuple(SEED_CAMPAIGNS[:1])


def test_a_control_plane_call_looks_its_session_up_once(counted: Counter[str]) -> None:
    mock = create_mock(Settings())
    counted.clear()
    body = b'{"advance": 5}'
    status, _, _ = call(mock, "POST", "/__mock/clock", [body], [(b"content-type", b"application/json"),
                                                                  (b"content-length", str(len(body)).encode())])
    assert status == 200
    assert counted == {"route": 1, "get": 1, "parse_body": 1}
