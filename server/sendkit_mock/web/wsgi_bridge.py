"""Flask called on the event loop, not through a thread per request: the one private seam into connexion.

connexion's FlaskApp reaches Flask through a2wsgi, which runs every request on a worker thread and hands each
message back to the event loop (the request body, the status line, every body chunk) with a cross-thread
call the loop is woken for. The mock's handlers neither wait on I/O nor take long (the store is in memory,
`Prefer: delay` waits in an ASGI middleware), so those hand-offs were a third of the server's CPU with
nothing gained. This bridge reads the (already size-capped) body, calls Flask on the loop and sends the
answer. The operations that can wait on the network run on a thread as before: `testWebhook` (it waits for
the receiver's answer), and the ones that deliver webhooks inline when the mock's executor is inline (the
pytest plugin's), so a receiver served by the same process still gets its call.

connexion has no public way to change this bridge, so `serve_on_the_loop` replaces the attribute a2wsgi sits
in, checks that it found a2wsgi there, and fails loudly when connexion moves it
(tests/unit/test_wsgi_bridge.py).
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi import build_environ

WsgiApp = Any
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class OnTheLoop:
    """An ASGI app over a WSGI app, called inline except for the `threaded` operations."""

    def __init__(self, wsgi: WsgiApp, threaded: frozenset[str], workers: int = 8,
                 prepare: Callable[[], None] | None = None) -> None:
        self.wsgi, self.threaded = wsgi, threaded
        self._pool: ThreadPoolExecutor | None = None
        self._workers = workers
        self._prepare = prepare  # run once, on the first call (connexion has registered its routes by then)
        self._preparing = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self._prepare is not None:
            # Calls on several threads at once (test clients used from a pool) wait until it has run: one that
            # went on while another prepared reached connexion's own views, without the session (a 500).
            with self._preparing:
                if self._prepare is not None:
                    self._prepare()
                    self._prepare = None
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            await send({"type": "websocket.close", "code": 1000})
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        environ: dict[str, Any] = dict(build_environ(scope, io.BytesIO(bytes(body))))  # type: ignore[arg-type]
        if _operation(scope) in self.threaded:
            context = contextvars.copy_context()
            status, headers, payload = await asyncio.get_running_loop().run_in_executor(
                self._executor(), lambda: context.run(self._call, environ))
        else:
            status, headers, payload = self._call(environ)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _call(self, environ: dict[str, Any]) -> Answer:
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return _no_write

        result: Iterable[bytes] = self.wsgi(environ, start_response)
        try:
            payload = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started
        return (int(status.split(" ", 1)[0]),
                [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers], payload)

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="sendkit-wsgi")
        return self._pool


def serve_on_the_loop(app: Any, threaded: frozenset[str], prepare: Callable[[], None] | None = None) -> None:
    """Put the bridge where connexion's FlaskApp keeps a2wsgi (any other app class is left as it is);
    `prepare` runs before the first request reaches Flask."""
    inner: Any = getattr(app, "_middleware_app", None)
    if not hasattr(inner, "asgi_app") or not hasattr(app, "app"):
        return  # not a FlaskApp: connexion's AsyncApp calls the handlers on the loop already
    bridge = inner.asgi_app
    if not isinstance(bridge, WSGIMiddleware):
        raise RuntimeError(f"connexion's FlaskApp no longer reaches Flask through a2wsgi ({bridge!r}): "
                           "see sendkit_mock/web/wsgi_bridge.py")
    inner.asgi_app = OnTheLoop(bridge.app, threaded, prepare=prepare)


def _operation(scope: dict[str, Any]) -> str | None:
    operation: str | None = scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")
    return operation


def _no_write(data: bytes) -> None:
    raise NotImplementedError("the mock's Flask views return their bodies; write() is not supported")


async def _lifespan(receive: Any, send: Any) -> None:
    message = await receive()
    if message["type"] == "lifespan.startup":
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
    if message["type"] == "lifespan.shutdown":
        await send({"type": "lifespan.shutdown.complete"})
