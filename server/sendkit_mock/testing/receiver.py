"""A real local HTTP receiver for webhooks: records each call whole, answers as told (200 unless told), can hang.

The pytest plugin gives every test one: `sendkit_mock.webhook_url` to register, `sendkit_mock.webhook_calls`
for what arrived (method, path, headers, the raw body: what a signature check needs), and
`sendkit_mock.webhook_responds(503, times=2)` to make the next calls fail, so a test sees the mock's retries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True, slots=True)
class ReceivedCall:
    """One call as it arrived."""

    method: str
    path: str
    headers: dict[str, str]  # as sent, names as the sender spelled them
    body: bytes  # the raw bytes, as signed

    def header(self, name: str) -> str | None:
        """A header by name, in any case."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=lambda: [200])  # each call takes the next; the last stays
    hang: threading.Event | None = None  # when set up, each call waits until the event is set
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)  # (headers, body), oldest first
    arrived: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    _received: list[ReceivedCall] = field(default_factory=list)
    _told: list[int] = field(default_factory=list)  # answers for the next calls, before `statuses`
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self) -> int:
        with self._lock:
            if self._told:
                return self._told.pop(0)
            return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def respond(self, status: int, times: int = 1) -> None:
        """Answer the next `times` calls with `status` (a 503 twice, say), then as before."""
        if not 100 <= status <= 599 or times < 1:
            raise ValueError(f"respond(status, times): an HTTP status and at least one time, not {status}, {times}")
        with self._lock:
            self._told.extend([status] * times)

    def record(self, call: ReceivedCall) -> None:
        with self._lock:
            self._received.append(call)
            self.calls.append((call.headers, call.body))
        self.arrived.set()

    def received_calls(self) -> list[ReceivedCall]:
        with self._lock:
            return list(self._received)

    def received(self) -> list[dict[str, object]]:
        """Each call's JSON body, oldest first (a body that is not JSON as {"raw": text})."""
        bodies: list[dict[str, object]] = []
        for call in self.received_calls():
            try:
                bodies.append(call.json())
            except ValueError:
                bodies.append({"raw": call.body.decode("utf-8", errors="replace")})
        return bodies

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self._received.clear()
            self._told.clear()
        self.arrived.clear()


@contextmanager
def serve(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def _take(self) -> None:
            length = self.headers.get("Content-Length", "0")
            body = self.rfile.read(int(length)) if length.isdigit() else b""
            receiver.record(ReceivedCall(self.command, self.path, dict(self.headers.items()), body))
            if receiver.hang is not None:
                receiver.hang.wait(timeout=30)
            self.send_response(receiver.status())
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_PUT = do_PATCH = do_GET = do_DELETE = _take  # noqa: N815 (http.server's naming)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        if receiver.hang is not None:
            receiver.hang.set()
        server.shutdown()
        server.server_close()
