"""A webhook receiver's redirect is its answer, not a hop: the destination check saw only the registered URL.
urllib followed a 302 to wherever it pointed (the mock's own control plane, a metadata address)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sendkit_mock.delivery.senders import HttpSender


def serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def target() -> Iterator[tuple[ThreadingHTTPServer, list[str]]]:
    hits: list[str] = []

    class Target(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = serve(Target)
    try:
        yield server, hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_a_failed_attempt_and_its_location_is_never_called(
        target: tuple[ThreadingHTTPServer, list[str]], status: int) -> None:
    inward, hits = target
    location = f"http://127.0.0.1:{inward.server_address[1]}/__mock/state"

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    receiver = serve(Redirecting)
    try:
        outcome = HttpSender().send(f"http://127.0.0.1:{receiver.server_address[1]}/hook", b"{}",
                                    {"Content-Type": "application/json"}, 5)
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert (outcome.status, outcome.delivered) == (status, False)
    assert outcome.error is not None and "not followed" in outcome.error and location in outcome.error
    assert hits == []
