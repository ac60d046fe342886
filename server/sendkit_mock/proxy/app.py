"""The validating proxy as an ASGI app: every request forwarded to the upstream as sent, its answer returned
as received, both checked against the contract on the way; what broke it is logged and journaled.

`GET /__mock/requests` (and `DELETE` to clear, `POST /__mock/requests/count` to match) answers from the
proxy's own journal, in the mock's format, with `responseViolations` beside the request's `violations`.
With `errors`, an answer that breaks the contract is replaced by a 502 in SendKit's shape naming what broke.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.types import Receive, Scope, Send

from ..clock import Clock, SystemClock, iso
from ..errors import ApiError, Detail
from ..session.journal import (
    ANSWER_TEXT,
    BODY_TEXT,
    MATCHER_PARTS,
    MAX_HEADERS,
    Journal,
    answer_text,
    body_text,
    kept_pairs,
)
from ..stores.memory import InMemoryCounter, InMemoryLog
from .contract import ContractCheck

log = logging.getLogger("sendkit_mock.proxy")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}
JSON_HEADERS = [("content-type", "application/json")]


class BadGateway(ApiError):
    status = 502


class ValidatingProxy:
    def __init__(self, upstream: str, check: ContractCheck, *, errors: bool = False, journal_size: int = 1000,
                 timeout: float = 30.0, clock: Clock | None = None) -> None:
        self.upstream, self.check, self.errors = upstream.rstrip("/"), check, errors
        self.journal = Journal(InMemoryLog(journal_size, counter=InMemoryCounter(), name="sendkit-mock/proxy-journal/"))
        self._clock = clock or SystemClock()
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self.exchanges, self.broken_requests, self.broken_answers = 0, 0, 0

    def verdict(self) -> str:
        """What the proxy saw, said at shutdown: "no violation" only with the exchanges it was drawn from."""
        if not self.exchanges:
            return "sendkit-mock proxy: no exchange seen: nothing was checked"
        if not self.broken_requests and not self.broken_answers:
            return f"sendkit-mock proxy: {self.exchanges} exchanges checked: none broke the contract"
        return (f"sendkit-mock proxy: {self.exchanges} exchanges checked: {self.broken_requests} requests and "
                f"{self.broken_answers} answers broke the contract (GET /__mock/requests lists them)")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"].startswith("/__mock/requests"):
            await self._journal(scope, receive, send)
            return
        started = time.perf_counter()
        body = await _read(receive)
        method, path = scope["method"], scope["path"]
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        operation, violations = self.check.request(method, path, query, dict(headers), body)
        try:
            answer = await self._forward(scope, headers, body)
        except httpx.HTTPError as exc:
            log.error("%s %s: the upstream %s did not answer: %s", method, path, self.upstream, exc)
            await _send(send, 502, JSON_HEADERS, json.dumps(BadGateway(
                f"The upstream {self.upstream} did not answer: {type(exc).__name__}").body()).encode())
            self._record(scope, query, headers, body, 502, started, violations, [])
            return
        content_type = answer.headers.get("content-type", "")
        answered = ([] if method == "HEAD" else
                    self.check.response(operation, answer.status_code, content_type, answer.content))
        self.exchanges += 1
        self.broken_requests += bool(violations)
        self.broken_answers += bool(answered)
        for v in violations:
            log.warning("%s %s: request: %s: %s", method, path, v.field, v.message)
        for v in answered:
            log.warning("%s %s -> %d: response: %s: %s", method, path, answer.status_code, v.field, v.message)
        status = answer.status_code
        if self.errors and answered:
            status = 502
            error = BadGateway(f"The upstream's answer ({answer.status_code}) broke the contract",
                               details=answered)
            await _send(send, 502, JSON_HEADERS, json.dumps(error.body()).encode())
        else:
            # httpx hands the body over decoded: it goes on without the upstream's content-encoding.
            await _send(send, status, [(k, v) for k, v in answer.headers.multi_items()
                                       if k.lower() != "content-encoding"], answer.content)
        self._record(scope, query, headers, body, status, started, violations, answered, answer.content)

    async def _forward(self, scope: Scope, headers: list[tuple[str, str]], body: bytes) -> httpx.Response:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        url = self.upstream + scope["path"] + (("?" + scope["query_string"].decode("latin-1"))
                                               if scope.get("query_string") else "")
        sent = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
        return await self._client.request(scope["method"], url, headers=sent, content=body)

    def _record(self, scope: Scope, query: list[tuple[str, str]], headers: list[tuple[str, str]], body: bytes,
                status: int, started: float, violations: list[Detail], answered: list[Detail],
                reply: bytes = b"") -> None:
        if not self.journal.enabled:
            return
        self.journal.record({
            "at": iso(self._clock.now()), "method": scope["method"], "path": scope["path"],
            "query": dict(query), "headers": kept_pairs(headers, MAX_HEADERS), BODY_TEXT: body_text(body),
            "status": status, "durationMs": round((time.perf_counter() - started) * 1000, 3),
            "violations": _listed(violations), "injected": None, "responseViolations": _listed(answered),
            ANSWER_TEXT: answer_text(reply),  # the upstream's, also when a violating one was answered 502
        })

    async def _journal(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The proxy's journal, as the mock's `/__mock/requests` answers it; every refusal in SendKit's shape."""
        method, path = scope["method"], scope["path"]
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        try:
            if path == "/__mock/requests" and method == "GET":
                limit = min(max(_integer(params, "limit", 25), 1), 100)
                status = _integer(params, "status", None)
                items, total, more = self.journal.page(cursor=params.get("cursor"), limit=limit,
                                                       method=params.get("method"), path=params.get("path"),
                                                       status=status)
                await _send_json(send, 200, {"success": True, "data": items, "pagination": {
                    "limit": limit, "total": total, "hasMore": more,
                    "nextCursor": items[-1]["_id"] if items else None}})
            elif path == "/__mock/requests" and method == "DELETE":
                self.journal.clear()
                await _send_json(send, 200, {"success": True, "data": {"cleared": True}})
            elif path == "/__mock/requests/count" and method == "POST":
                count, near = self.journal.count(_matcher(await _read(receive)))
                await _send_json(send, 200, {"success": True, "data": {"count": count, "nearMisses": near}})
            else:
                raise ApiError(status=404)
        except ApiError as error:
            await _send_error(send, error)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                (log.warning if not self.exchanges or self.broken_requests or self.broken_answers
                 else log.info)(self.verdict())
                if self._client is not None:
                    await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _integer(params: dict[str, str], name: str, default: int | None) -> Any:
    try:
        return int(params[name]) if name in params else default
    except ValueError:
        raise ApiError(status=400, details=[Detail(name, "Must be an integer")]) from None


def _matcher(raw: bytes) -> dict[str, Any]:
    """A count's matcher: an object of the mock's matcher parts, each of the type the mock's contract gives it."""
    try:
        matcher = json.loads(raw or b"{}")
    except ValueError:
        raise ApiError(status=400, details=[Detail("body", "Not valid JSON")]) from None
    if not isinstance(matcher, dict):
        raise ApiError(status=400, details=[Detail("body", "Must be an object")])
    kinds = {"method": str, "path": str, "pathPattern": str, "query": dict, "headers": dict}
    for name in matcher:
        if name not in MATCHER_PARTS:
            raise ApiError(status=400, details=[Detail(name, "Is not an allowed property")])
        if name in kinds and not isinstance(matcher[name], kinds[name]):
            raise ApiError(status=400, details=[Detail(name, f"Must be of type {kinds[name].__name__}")])
    return matcher


def _listed(details: list[Detail]) -> list[dict[str, str]]:
    return [{"field": d.field, "message": d.message} for d in details]


async def _read(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _send(send: Send, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    """An answer with these headers (hop-by-hop ones and the length left out) and its own content-length."""
    pairs = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
    pairs.append(("content-length", str(len(body))))
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in pairs]})
    await send({"type": "http.response.body", "body": body})


async def _send_json(send: Send, status: int, document: Any) -> None:
    await _send(send, status, JSON_HEADERS, json.dumps(document).encode())


async def _send_error(send: Send, error: ApiError) -> None:
    await _send_json(send, error.status, error.body())
