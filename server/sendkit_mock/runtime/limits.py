"""What one connection may take from the server (time, header bytes, a descriptor), and what it is told past that.

Uvicorn bounds none of it: a client sending its headers slowly, or declaring a body it never sends, was held
forever, and 21,000 such connections took every file descriptor, so normal requests went unanswered and asyncio
logged each refused `accept()` with a traceback (145,407 of them in 25 s). The protocol in `connections.py`
holds each connection to these `Limits`; the answers are written straight onto the socket (no ASGI app is
involved at that level) in SendKit's error shape, so a client sees one shape whatever refused it.
"""

from __future__ import annotations

import json
import logging
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus

from ..errors import ApiError
from ..settings import Settings

RETRY_AFTER = 1  # seconds a refused client waits: connections free up as fast as requests finish
# Seconds a connection being refused is still read (and what it sends dropped) before it closes: closing a
# socket with unread bytes sends a reset, and the client may lose the answer before reading it. Long enough for
# a request in flight, short enough that refused connections give their descriptor back at once.
LINGER = 1.0
DESCRIPTOR_RESERVE = 64  # kept for what the process opens itself: listeners, logs, Redis, webhook calls, files


@dataclass(frozen=True, slots=True)
class Limits:
    header_timeout: float  # seconds for a request's line and headers, from the connection or its first byte
    body_timeout: float  # seconds for the whole body, from the end of the headers
    max_header_bytes: int  # request line and headers, counted as they arrive
    max_connections: int  # open at once in this process; more are answered 503 and closed

    @classmethod
    def of(cls, settings: Settings, descriptors: int | None = None) -> Limits:
        """The settings' limits, the connection cap lowered to what `descriptors` (the soft RLIMIT_NOFILE,
        by default the one in force) can hold."""
        descriptors = resource.getrlimit(resource.RLIMIT_NOFILE)[0] if descriptors is None else descriptors
        return cls(settings.header_timeout, settings.body_timeout, settings.max_header_bytes,
                   connection_cap(settings.max_connections, descriptors))


def connection_cap(wanted: int, descriptors: int) -> int:
    """`wanted`, or fewer when the descriptors would run out first (each connection holds one); a small limit
    keeps a quarter of its descriptors for the process itself, a large one `DESCRIPTOR_RESERVE`."""
    if descriptors == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, descriptors - min(DESCRIPTOR_RESERVE, descriptors // 4)))


def raise_descriptor_limit() -> int:
    """The soft RLIMIT_NOFILE raised to the hard one (many systems start processes at 1,024 with a hard limit
    far above it), and the soft limit now in force. Where that fails the limit stays as it was."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65_536)  # macOS refuses an infinite soft limit
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def answer(status: int, message: str, *, retry_after: int | None = None,
           default_headers: Sequence[tuple[bytes, bytes]] = ()) -> bytes:
    """A whole HTTP/1.1 response in SendKit's error shape, after which the connection closes."""
    body = json.dumps(ApiError(message, status=status).body(), separators=(",", ":"))
    head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode()]
    head += [name + b": " + value for name, value in default_headers]
    head += [b"content-type: application/json", b"content-length: %d" % len(body), b"connection: close"]
    if retry_after is not None:
        head.append(b"retry-after: %d" % retry_after)
    return b"\r\n".join(head) + b"\r\n\r\n" + body.encode()


ACCEPT_ERROR = "socket.accept() out of system resource"  # asyncio's words (selector_events._accept_connection)
# Each failed accept also schedules a retry of the listener a second later; retries still pending when the
# server stops fail on its closed socket, each with a traceback (22,462 of them after one burst).
ACCEPT_RETRY = "Exception in callback BaseSelectorEventLoop._start_serving("


class AcceptErrors(logging.Filter):
    """At most one line per `interval` for asyncio's failed `accept()` (EMFILE, ENFILE: descriptors ran out)
    and its failed retries, without a traceback, saying how many were left out since the last. asyncio tries
    `accept()` up to `backlog` (2,048) times per wake-up, logging each failure and scheduling a retry each time
    (CPython gh-151615, fixed after 3.11): 59 MB of log in 25 s."""

    def __init__(self, interval: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval, self.clock = interval, clock
        self._last: float | None = None
        self._left_out = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str) or not record.msg.startswith((ACCEPT_ERROR, ACCEPT_RETRY)):
            return True
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            self._left_out += 1
            return False
        exc = record.exc_info[1] if record.exc_info else None
        if record.msg.startswith(ACCEPT_ERROR):
            record.msg = f"{ACCEPT_ERROR}: {exc}; new connections wait in the listen backlog"
        else:
            record.msg = f"a retried accept() failed: {exc!r}"
        if self._left_out:
            record.msg += f" ({self._left_out} more accept errors since the last such line, not logged)"
        record.args, record.exc_info, record.exc_text = (), None, None
        self._last, self._left_out = now, 0
        return True


def quiet_accept_errors(logger: logging.Logger | None = None) -> AcceptErrors:
    """Installs `AcceptErrors` on asyncio's logger (once), and returns it."""
    logger = logger or logging.getLogger("asyncio")
    installed = next((f for f in logger.filters if isinstance(f, AcceptErrors)), None)
    if installed is None:
        installed = AcceptErrors()
        logger.addFilter(installed)
    return installed
