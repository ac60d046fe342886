"""Applies the simulation to every API request (`/v1/...`) whose key was accepted: its `Prefer` preferences, and
its session's latency, injected errors and rate limit. The control plane and the docs are never slowed or
failed. It runs after connexion's key check and before validation, so a request without a key, or with a key
SendKit does not know, is answered 401 by the check and makes no session, moves none in the LRU order and counts
in no rate-limit window (issue 26: 1,000 such requests evicted a real session, 10,001 reset a real key's window).

Order of work for one request: read the preferences (a bad value is a 400 naming `Prefer`) and take the
`__code`-style query parameters out of the query, so validation never sees them; judge the request by the
session's behaviour (a 429 over the rate limit, a 500 or 503 for its share of errors); hold it for the delay
without holding a thread (`asyncio.sleep`); let the app answer (the canned answers of `code`, `example` and
`dynamic` come from `api.canned`, after authentication and validation); then put `Preference-Applied` and the
rate-limit headers on the answer, or break it as the fault asks.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ApiError
from ..runtime.connections import Connections, reset
from ..simulation import prefer as preferences
from ..simulation.prefer import Exchange
from .errors import send_error
from .incoming import incoming
from .session_names import mock_parameters

log = logging.getLogger("sendkit_mock")
CONTEXT_KEY = "mock_exchange"
SLOW_BODY_MS = 2_000  # a slow body's default time to dribble, when no delay is given
SLOW_BODY_CHUNKS = 10
GARBAGE = b"\x00\xff<!-- connection lost -->"


class FaultWithoutSocket(ConnectionError):
    """A fault that needs the connection's socket, asked of a mock served where it has none (in-process)."""


class Simulation:
    def __init__(self, app: ASGIApp, connections: Connections) -> None:
        self.app, self.connections = app, connections

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        context = scope.get("extensions", {}).get("connexion_context", {})
        if scope["type"] != "http" or not scope["path"].startswith("/v1/") or context.get("token_info") is None:
            # Not the API, or a request whose key was refused: it makes no session, counts in no window
            await self.app(scope, receive, send)
            return
        session = incoming(scope).session
        query = mock_parameters(scope)  # [] where no `__` parameter can be in it
        headers = [v.decode("latin-1") for k, v in scope["headers"] if k == b"prefer"]
        try:
            prefer = preferences.parse(headers, query)
        except ApiError as exc:
            await send_error(send, exc)
            return
        if any(k in preferences.QUERY_NAMES for k, _ in query):
            kept = [(k, v) for k, v in query if k not in preferences.QUERY_NAMES]
            scope = {**scope, "query_string": urlencode(kept).encode("latin-1")}
        exchange = context[CONTEXT_KEY] = Exchange(prefer, path=scope["path"], body=incoming(scope).body,
                                                   query=scope.get("query_string", b"").decode("latin-1"))
        verdict = session.simulator.judge(_api_key(scope), session.clock.now())
        delay = prefer.delay if prefer.delay is not None else verdict.delay_ms
        if prefer.delay is not None:
            exchange.apply("delay", prefer.delay)
        if prefer.fault is not None:
            exchange.apply("fault", prefer.fault)
            exchange.injected = f"fault={prefer.fault}"
        if delay and prefer.fault != "slow-body":
            await asyncio.sleep(delay / 1000)
        extra = list(verdict.limit_headers)
        send = self._finishing(scope, receive, send, exchange, extra, delay)
        if verdict.inject is not None:
            exchange.injected = "rate-limit" if verdict.inject == 429 else "error-rate"
            if verdict.retry_after is not None:
                extra.append(("Retry-After", str(verdict.retry_after)))
            await send_error(send, ApiError(status=verdict.inject))
            return
        await self.app(scope, receive, send)

    def _finishing(self, scope: Scope, receive: Receive, send: Send, exchange: Exchange,
                   extra: list[tuple[str, str]], delay: int) -> Send:
        """The `send` that adds the headers to the answer, and breaks it when a fault is asked (by `Prefer`,
        or by a stub the handler's layer found: read as the answer starts)."""
        held: list[Message] = []
        fault: str | None = None

        async def finish(message: Message) -> None:
            nonlocal fault
            if message["type"] == "http.response.start":
                fault = exchange.prefer.fault
                if exchange.late_delay_ms and fault != "slow-body":  # a stub's delay
                    await asyncio.sleep(exchange.late_delay_ms / 1000)
                applied = exchange.applied_header()
                added = [(k.lower().encode(), v.encode()) for k, v in extra]
                if applied:
                    added.append((b"preference-applied", applied.encode()))
                message = {**message, "headers": [*message.get("headers", []), *added]}
                if fault in ("connection-reset", "empty-response"):
                    await self._drop(scope, receive, fault)
                    return
            replacing = exchange.raw_answer is not None  # a stub's deliberate violation, past validation
            if fault not in ("malformed-body", "slow-body") and not replacing:
                await send(message)
                return
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                start, body = held[0], b"".join(m.get("body", b"") for m in held[1:])
                if exchange.raw_answer is not None:
                    body = exchange.raw_answer
                    start = {**start, "headers": [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                             + [(b"content-length", str(len(body)).encode())]}
                if fault == "malformed-body":
                    await self._truncated(scope, receive, send, start, body)
                elif fault == "slow-body":
                    await _dribble(send, start, body, exchange.late_delay_ms or delay or SLOW_BODY_MS)
                else:
                    await send(start)
                    await send({"type": "http.response.body", "body": body})

        return finish

    async def _drop(self, scope: Scope, receive: Receive, fault: str) -> None:
        transport = self.connections.transport(scope)
        if transport is None:
            raise FaultWithoutSocket(f"fault={fault} needs the mock served by `sendkit-mock serve`")
        if fault == "connection-reset":
            reset(transport)
        else:
            transport.close()
        await _disconnected(receive)

    async def _truncated(self, scope: Scope, receive: Receive, send: Send, start: Message, body: bytes) -> None:
        """Headers as they were (Content-Length of the whole body), half the body, garbage, then the end."""
        await send(start)
        cut = body[: len(body) // 2] + GARBAGE
        transport = self.connections.transport(scope)
        if transport is None:  # in-process: the client gets the cut body as if it were whole
            await send({"type": "http.response.body", "body": cut[: len(body) - 1]})
            return
        await send({"type": "http.response.body", "body": cut[: len(body) - 1], "more_body": True})
        transport.close()
        await _disconnected(receive)


async def _dribble(send: Send, start: Message, body: bytes, over_ms: int) -> None:
    await send(start)
    size = max(1, -(-len(body) // SLOW_BODY_CHUNKS))
    chunks = [body[i:i + size] for i in range(0, len(body), size)] or [b""]
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        await send({"type": "http.response.body", "body": chunk, "more_body": not last})
        if not last:
            await asyncio.sleep(over_ms / 1000 / max(1, len(chunks) - 1))


async def _disconnected(receive: Receive) -> None:
    """Wait for the server to notice the connection is gone, so it does not log an unfinished answer."""
    try:
        async with asyncio.timeout(5):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        log.warning("a faulted connection did not close within 5 s")


def _api_key(scope: Scope) -> str | None:
    headers = dict(scope["headers"])
    key = headers.get(b"x-api-key", b"").decode("latin-1")
    if not key:
        auth = headers.get(b"authorization", b"").decode("latin-1")
        key = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    return key or None
