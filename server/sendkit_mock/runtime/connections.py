"""The server's open connections: kept by client address, so a simulated fault can reset or close one, and each
held to the `Limits` (runtime/limits.py), so no client holds one forever or takes them all.

ASGI gives an app no socket; `serve` (and anything that runs the mock with `protocol()`) uses uvicorn's
HTTP protocol class with hooks that keep each connection's transport here, under the address the
request's scope names as its `client`. Served any other way, the faults that need the socket raise instead.

On each connection the protocol keeps, beside uvicorn's parser, where the client is in its request:
- awaiting headers (a new connection, or the first byte of a next request): the header timer runs, and the
  bytes are counted as they arrive, each read cut to what the cap has room for, so the parser never holds
  more than the cap of an unfinished header (plus, after a pipelined body in the same read, one read more);
- in the body: the body timer runs from the end of the headers to the body's last byte, and pauses while
  the server itself has stopped reading (the app has not taken what came);
- otherwise (the app is answering; between requests uvicorn's keep-alive timeout holds) no timer runs.
"""

from __future__ import annotations

import asyncio
import contextvars
import socket
import struct
import threading
from collections.abc import Callable
from typing import Any

from starlette.types import Scope

from ..settings import Settings
from .limits import LINGER, RETRY_AFTER, Limits, answer


class Connections:
    def __init__(self) -> None:
        self._by_client: dict[tuple[str, int], asyncio.Transport] = {}
        self.open = 0  # connections served now, by every listener of the process, against the cap
        self._counting = threading.Lock()  # the plugin runs each listener's loop in a thread of its own

    def protocol(self, limits: Limits | None = None) -> type[asyncio.Protocol]:
        """uvicorn's HTTP protocol (httptools, the C parser of `uvicorn[standard]`, else h11), keeping every
        connection's transport in this registry and holding it to `limits` (by default, the settings')."""
        bounds = limits or Limits.of(Settings())
        try:
            from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

            class TrackedProtocol(_Bounded, HttpToolsProtocol):
                limits, registry = bounds, self
        except ImportError:  # httptools missing: the pure-Python parser
            from uvicorn.protocols.http.h11_impl import H11Protocol

            class TrackedProtocol(_H11Bounded, H11Protocol):  # type: ignore[no-redef]
                limits, registry = bounds, self

        return TrackedProtocol

    def transport(self, scope: Scope) -> asyncio.Transport | None:
        client = scope.get("client")
        return self._by_client.get((client[0], client[1])) if client else None

    def admit(self, client: tuple[str, int] | None, transport: asyncio.Transport, cap: int) -> bool:
        """Whether a new connection is served (under `cap`); if so it is counted and kept by its address."""
        with self._counting:
            if self.open >= cap:
                return False
            self.open += 1
        if client:
            self._by_client[(client[0], client[1])] = transport
        return True

    def release(self, client: tuple[str, int] | None) -> None:
        with self._counting:
            self.open -= 1
        if client:
            self._by_client.pop((client[0], client[1]), None)


class _Bounded(asyncio.Protocol):
    """The limits held on one connection; mixed in before uvicorn's protocol, whose attributes it uses
    (tests/unit/test_framework_seams.py names them)."""

    limits: Limits
    registry: Connections
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    client: tuple[str, int] | None
    cycle: Any  # the request being answered (uvicorn's RequestResponseCycle), None before the first
    flow: Any  # uvicorn's FlowControl: read_paused, pause_reading()
    server_state: Any  # its default_headers (server, date)

    _in_body = False
    _header_bytes = 0  # of the unfinished request line and headers, as counted in data_received
    _begun = False  # a request's first byte is in (a pipelined one may come in a read that counted the last)
    _fresh = True  # no request's headers complete yet: the header timer runs from the connection's start
    _refused = False  # over the connection cap: answered 503 once its request is in
    _ending: asyncio.TimerHandle | None = None  # answered and closing: what comes is read and dropped
    _header_timer: asyncio.TimerHandle | None = None
    _body_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.registry.admit(self.client, transport, self.limits.max_connections):
            self._header_timer = _later(self.loop, self.limits.header_timeout, self._headers_late)
        else:
            self._refused = True  # answered when its request is in (closing before would reset it), or soon
            self._header_timer = _later(self.loop, LINGER, self._turn_away)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._refused:
            self.registry.release(self.client)
        for timer in (self._header_timer, self._body_timer, self._ending):
            if timer is not None:
                timer.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._ending is not None:
            return
        if self._refused:
            self._turn_away()
            return
        while data:
            if self._in_body:  # a body is not counted; a next request after it in this read is, from the next
                piece, data = data, b""
            else:
                room = self.limits.max_header_bytes - self._header_bytes
                if room <= 0:
                    self._refuse(431, f"The request line and headers are over {self.limits.max_header_bytes} bytes")
                    return
                piece, data = (data, b"") if len(data) <= room else (data[:room], data[room:])
                self._header_bytes += len(piece)
            super().data_received(piece)
            self._after_feed()
            if self.transport.is_closing() or self.transport.get_protocol() is not self:  # a 400, or an upgrade
                return
        self._arm()

    # httptools' callbacks, wrapped to follow the request's stage (h11 is asked instead: _H11Bounded)
    def on_message_begin(self) -> None:
        self._begun = True
        super().on_message_begin()  # type: ignore[misc]

    def on_headers_complete(self) -> None:
        self._header_bytes, self._begun, self._fresh, self._in_body = 0, False, False, True
        super().on_headers_complete()  # type: ignore[misc]

    def on_message_complete(self) -> None:
        self._in_body = False
        super().on_message_complete()  # type: ignore[misc]

    def _after_feed(self) -> None:
        """Where the parser's callbacks could not say so: the stage the request is at."""

    def _arm(self) -> None:
        awaiting = not self._in_body and (self._begun or self._header_bytes > 0 or self._fresh)
        self._header_timer = _kept(self._header_timer, awaiting, self.loop, self.limits.header_timeout,
                                   self._headers_late)
        self._body_timer = _kept(self._body_timer, self._in_body, self.loop, self.limits.body_timeout,
                                 self._body_late)

    def _turn_away(self) -> None:
        message = (f"The server has {self.limits.max_connections} connections open, its limit: try again after "
                   "Retry-After seconds")
        self._answer(answer(503, message, retry_after=RETRY_AFTER, default_headers=self.server_state.default_headers))

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if not self._begun and self._header_bytes == 0:  # nothing sent: nobody to answer
            self.transport.close()
            return
        self._refuse(408, f"The request line and headers did not arrive within {self.limits.header_timeout:g} s")

    def _body_late(self) -> None:
        self._body_timer = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused:  # the server stopped reading (the app has not taken what came), not the client
            self._body_timer = _later(self.loop, self.limits.body_timeout, self._body_late)
            return
        cycle = self.cycle
        if cycle is not None and cycle.response_complete:  # answered early (a 413, say): no one waits for more
            self.transport.close()
            return
        if cycle is not None and not cycle.response_started:
            # The app waiting for the rest of the body hears that the client went (and its answer is dropped).
            cycle.disconnected = True
            cycle.message_event.set()
        self._refuse(408, f"The request body did not arrive within {self.limits.body_timeout:g} s")

    def _refuse(self, status: int, message: str) -> None:
        """Answers `status` and closes; or, when an answer is being made on this connection (a pipelined
        request's turn has not come), stops reading and closes after that answer, the way uvicorn does."""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete and not cycle.disconnected:
            cycle.keep_alive = False
            self.flow.pause_reading()
            return
        self._answer(answer(status, message, default_headers=self.server_state.default_headers))

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to bytes that are no HTTP/1.1 request (two Content-Lengths, Content-Length with
        Transfer-Encoding, a folded header, raw non-ASCII in the target...), in SendKit's shape, not text."""
        self._answer(answer(400, f"The request is not valid HTTP/1.1 ({msg.rstrip('.')}): check its framing "
                                 "and headers", default_headers=self.server_state.default_headers))

    def _answer(self, response: bytes) -> None:
        """Writes `response`, the last thing sent, then reads and drops what the client still sends until it
        closes or `LINGER` passes: closing with its bytes unread would reset the connection, and the client
        could lose the answer before reading it."""
        for timer in (self._header_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._header_timer = self._body_timer = None
        self.transport.write(response)
        if self.transport.can_write_eof():
            self.transport.write_eof()  # the client reads the answer's end now, not after LINGER
        self.flow.resume_reading()
        self._ending = _later(self.loop, LINGER, self.transport.close)


def _later(loop: asyncio.AbstractEventLoop, delay: float, late: Callable[[], None]) -> asyncio.TimerHandle:
    """A timer in an empty context. `call_later` keeps the caller's context, and data_received runs in the
    context of whatever resumed reading: a request's task, whose context holds that request (its scope, its
    parsed body). A cancelled timer stays in the loop's queue until it is due, so each one kept a request's
    objects for the body timeout: 1 MiB imports held ~300 MB of them (bench/attacks.py)."""
    return loop.call_later(delay, late, context=contextvars.Context())


def _kept(timer: asyncio.TimerHandle | None, wanted: bool, loop: asyncio.AbstractEventLoop, delay: float,
          late: Callable[[], None]) -> asyncio.TimerHandle | None:
    """`timer` kept if `wanted` and running, started if `wanted` and not, cancelled if not `wanted`."""
    if wanted:
        return timer or _later(loop, delay, late)
    if timer is not None:
        timer.cancel()
    return None


class _H11Bounded(_Bounded):
    """h11 has no callbacks: its connection's state says where the request is."""

    conn: Any

    def _after_feed(self) -> None:
        import h11

        state = self.conn.their_state
        if state is not h11.IDLE:
            self._header_bytes, self._fresh = 0, False
        self._in_body = state is h11.SEND_BODY


def reset(transport: asyncio.Transport) -> None:
    """Drop the connection with a TCP reset (RST), as a crashed peer or a middlebox does."""
    sock: Any = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
