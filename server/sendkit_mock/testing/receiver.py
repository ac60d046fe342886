"""A real local HTTP receiver for webhooks: records each call, answers as told (200 unless told), can hang.

The pytest plugin gives every test one (`sendkit_mock.webhook_url`, `sendkit_mock.webhooks_received`)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=lambda: [200])
    hang: threading.Event | None = None  # when set up, each call waits until the event is set
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def received(self) -> list[dict[str, object]]:
        """Each call's JSON body, oldest first (a body that is not JSON as {"raw": text})."""
        bodies: list[dict[str, object]] = []
        for _, body in list(self.calls):
            try:
                bodies.append(json.loads(body))
            except ValueError:
                bodies.append({"raw": body.decode("utf-8", errors="replace")})
        return bodies

    def clear(self) -> None:
        self.calls.clear()
        self.arrived.clear()


@contextmanager
def serve(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.calls.append((dict(self.headers.items()), body))
            receiver.arrived.set()
            if receiver.hang is not None:
                receiver.hang.wait(timeout=30)
            self.send_response(receiver.status())
            self.send_header("Content-Length", "0")
            self.end_headers()

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
