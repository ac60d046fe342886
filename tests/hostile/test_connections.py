"""Connection-level attacks over raw sockets against the real server (127.0.0.1 only, bounded in count and time):
slow headers, a body that never ends, a huge header, more connections than the cap, descriptors running out.
Each asserts what the client sees (the status line, SendKit's error shape, the connection closed) and what the
operator sees (the log)."""

from __future__ import annotations

import json
import logging
import resource
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from sendkit_mock.runtime.connections import Connections
from sendkit_mock.runtime.limits import AcceptErrors, Limits, connection_cap
from sendkit_mock.testing.threaded import ThreadedServer

from ..conftest import SEED_BODY, WS_KEY
from ..e2e.conftest import SCRIPT, RunningServer, free_port, running

pytestmark = pytest.mark.e2e

QUICK = ("--header-timeout", "1", "--body-timeout", "1", "--keepalive-timeout", "1")
GET = f"GET /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: {WS_KEY}\r\n\r\n".encode()


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """Every timeout at 1 s (2 for keep-alive would change nothing but the wait)."""
    with running(tmp_path_factory.mktemp("quick") / "server.log", *QUICK) as server:
        yield server


def port_of(server: RunningServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def connect(server: RunningServer, timeout: float = 5) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port_of(server)), timeout=timeout)


def until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a socket timeout fails the test)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def one_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One response by its Content-Length, leaving the connection open."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    status, headers = parse_head(head)
    while len(body) < int(headers["content-length"]):
        body += sock.recv(65536)
    return status, headers, body


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    line, *fields = head.decode("latin-1").split("\r\n")
    return int(line.split()[1]), {k.lower(): v.strip() for k, v in (f.split(":", 1) for f in fields)}


def refusal(received: bytes, status: int, error: str) -> dict[str, object]:
    """The answer a refused client reads: the status, SendKit's error shape, and the connection closing."""
    head, _, body = received.partition(b"\r\n\r\n")
    got, headers = parse_head(head)
    assert got == status, received[:300]
    assert headers["content-type"] == "application/json" and headers["connection"] == "close"
    assert int(headers["content-length"]) == len(body)  # and nothing after it: the connection closed
    shaped: dict[str, object] = json.loads(body)
    assert shaped["error"] == error and shaped["code"] == status and isinstance(shaped["message"], str)
    assert set(shaped) <= {"error", "message", "code", "details"}
    return shaped


def test_headers_that_stop_coming_get_408_after_the_header_timeout(quick: RunningServer) -> None:
    with connect(quick) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
        received = until_closed(sock)
    assert 0.9 < time.monotonic() - started < 3
    shaped = refusal(received, 408, "Request Timeout")
    assert "headers did not arrive within 1 s" in str(shaped["message"])


def test_headers_sent_a_byte_at_a_time_are_held_no_longer(quick: RunningServer) -> None:
    """Slowloris: each byte resets no timer; the deadline runs from the connection's start."""
    with connect(quick) as sock:
        started = time.monotonic()
        for byte in GET[:40]:
            sock.sendall(bytes([byte]))
            if select.select([sock], [], [], 0.1)[0]:
                break
        received = until_closed(sock)
    assert time.monotonic() - started < 3
    refusal(received, 408, "Request Timeout")


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(quick: RunningServer) -> None:
    with connect(quick) as sock:
        started = time.monotonic()
        assert until_closed(sock) == b""
    assert 0.9 < time.monotonic() - started < 3


def test_a_kept_alive_connection_idles_out_and_a_next_request_that_stalls_gets_408(quick: RunningServer) -> None:
    with connect(quick) as sock:
        sock.sendall(GET)
        assert one_response(sock)[0] == 200
        started = time.monotonic()
        assert until_closed(sock) == b""  # idle: uvicorn's keep-alive timeout, set to 1 s
        assert 0.9 < time.monotonic() - started < 3
    with connect(quick) as sock:
        sock.sendall(GET)
        assert one_response(sock)[0] == 200
        sock.sendall(GET[:30])  # a next request begun, then nothing
        started = time.monotonic()
        received = until_closed(sock)
    assert 0.9 < time.monotonic() - started < 3
    refusal(received, 408, "Request Timeout")


def test_a_body_shorter_than_its_content_length_gets_408_after_the_body_timeout(quick: RunningServer) -> None:
    body = b'{"reportType":"workspace"}'  # 26 bytes of the 1,000 declared
    with connect(quick) as sock:
        sock.sendall(b"POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"X-Api-Key: " + WS_KEY.encode() + b"\r\nContent-Length: 1000\r\n\r\n" + body)
        started = time.monotonic()
        received = until_closed(sock)
    assert 0.9 < time.monotonic() - started < 3
    shaped = refusal(received, 408, "Request Timeout")
    assert "body did not arrive within 1 s" in str(shaped["message"])


def test_a_body_that_timed_out_is_not_handled(quick: RunningServer) -> None:
    body = json.dumps(SEED_BODY).encode()  # a whole, valid body, with 100 bytes more declared than sent
    reports = requests.get(f"{quick.url}/v1/reports", headers={"X-Api-Key": WS_KEY}, timeout=5).json()["data"]
    with connect(quick) as sock:
        sock.sendall(b"POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"X-Api-Key: " + WS_KEY.encode() + b"\r\nContent-Length: %d\r\n\r\n" % (len(body) + 100) + body)
        refusal(until_closed(sock), 408, "Request Timeout")
    time.sleep(0.3)  # the app, if it went on, has made its report by now
    after = requests.get(f"{quick.url}/v1/reports", headers={"X-Api-Key": WS_KEY}, timeout=5).json()["data"]
    assert after == reports


def test_headers_over_16_kib_get_431_as_they_arrive_not_once_they_are_all_in(quick: RunningServer) -> None:
    sent = 0
    with connect(quick) as sock:
        sock.sendall(b"GET /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ")
        try:
            while sent < 10_000_000 and not select.select([sock], [], [], 0)[0]:
                sent += sock.send(b"a" * 65536)  # a 10 MB header, for as long as the server listens
        except OSError:  # the server closed after answering and reading on a little (LINGER)
            pass
        received = until_closed(sock)
    assert sent < 10_000_000  # answered before the header was all sent: counted as it came
    shaped = refusal(received, 431, "Request Header Fields Too Large")
    assert "over 16384 bytes" in str(shaped["message"])


def test_headers_just_under_the_cap_and_a_large_body_are_served(quick: RunningServer) -> None:
    """What is counted is the request line and headers: not the body, not the previous request."""
    filler = b"X-Filler: " + b"a" * 15_000 + b"\r\n"
    with connect(quick) as sock:
        sock.sendall(GET.replace(b"\r\n\r\n", b"\r\n" + filler + b"\r\n"))
        assert one_response(sock)[0] == 200
        body = json.dumps({**SEED_BODY, "padding": "a" * 200_000}).encode()
        sock.sendall(b"POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"X-Api-Key: " + WS_KEY.encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        status, _, answer = one_response(sock)
    assert status == 400 and json.loads(answer)["code"] == 400  # the padding is refused by the contract, not 431


def test_past_the_connection_cap_a_new_connection_gets_503_with_retry_after(tmp_path: Path) -> None:
    with running(tmp_path / "server.log", "--max-connections", "20") as server, ExitStack() as held:
        time.sleep(0.2)  # the readiness check's connection has gone
        for _ in range(20):
            held.enter_context(connect(server))
        time.sleep(0.2)
        with connect(server) as sock:
            sock.sendall(GET)
            received = until_closed(sock)
        shaped = refusal(received, 503, "Service Unavailable")
        assert "20 connections open" in str(shaped["message"])
        assert parse_head(received.partition(b"\r\n\r\n")[0])[1]["retry-after"] == "1"
        held.close()
        time.sleep(0.2)
        assert requests.get(f"{server.url}/v1/reports", headers={"X-Api-Key": WS_KEY}, timeout=5).status_code == 200


def test_a_request_answers_within_200_ms_while_1000_slow_connections_are_held(tmp_path: Path) -> None:
    with running(tmp_path / "server.log") as server, ExitStack() as held:
        slow = [held.enter_context(connect(server)) for _ in range(1000)]
        for sock in slow:
            sock.sendall(GET[:30])  # half a request line each, held under the 10 s header timeout
        time.sleep(0.5)
        timings = []
        for _ in range(10):
            with connect(server) as sock:
                started = time.monotonic()
                sock.sendall(GET)
                assert one_response(sock)[0] == 200
                timings.append(time.monotonic() - started)
        assert max(timings) < 0.2, timings
        assert not select.select(slow, [], [], 0)[0]  # all 1,000 still held, none answered yet


@contextmanager
def served_with_descriptors(log: Path, descriptors: int) -> Iterator[RunningServer]:
    """`running`, but the server process started with RLIMIT_NOFILE at `descriptors`, soft and hard."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (descriptors, descriptors))

    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen([SCRIPT, "serve", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=limit)
    try:
        server = RunningServer(f"http://127.0.0.1:{port}", log)
        assert answered_within(server, 15), log.read_text()
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def answered_within(server: RunningServer, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return requests.get(f"{server.url}/openapi.json", timeout=0.5).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.05)
    return False


def test_descriptors_running_out_log_one_line_a_second_and_the_server_recovers(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with served_with_descriptors(log, 64) as server:
        with ExitStack() as held:
            for _ in range(200):  # far past 64: accept() fails with EMFILE while they are held
                held.enter_context(connect(server))
            time.sleep(3)
        assert answered_within(server, 10)
        text = log.read_text()
    lines = [line for line in text.splitlines() if "accept()" in line]
    assert 1 <= len(lines) <= 6, text[-3000:]  # ~3 s held, the ~1-2 s after, and shutdown: one line a second at most
    assert "Traceback" not in text and "more accept errors since the last such line" in text
    assert "at most 48 connections, not 2048: the file descriptor limit (ulimit -n) is 64" in text


def test_the_accept_error_filter_lets_one_line_a_second_through_and_counts_the_rest() -> None:
    now = [0.0]
    quiet = AcceptErrors(clock=lambda: now[0])

    def record(message: str) -> logging.LogRecord:
        error = OSError(24, "Too many open files")
        return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, message, (), (OSError, error, None))

    first = record("socket.accept() out of system resource\nsocket: <...>")
    assert quiet.filter(first) and first.exc_info is None and "[Errno 24]" in first.getMessage()
    assert [quiet.filter(record("socket.accept() out of system resource")) for _ in range(5)] == [False] * 5
    now[0] = 1.0
    later = record("socket.accept() out of system resource")
    assert quiet.filter(later) and "(5 more accept errors" in later.getMessage()
    assert quiet.filter(record("something else went wrong"))  # other lines pass untouched


async def length_of_body(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers how many body bytes it read (nothing if the client went first)."""
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        size, more = size + len(message.get("body", b"")), message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(str(size)))]})
    await send({"type": "http.response.body", "body": str(size).encode()})


@pytest.fixture(params=["httptools", "h11"])
def parsed_by(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningServer]:
    """The bounded protocol over each of uvicorn's parsers (h11 is the fallback when httptools is missing),
    in this process, on a bare app."""
    if request.param == "h11":
        monkeypatch.setitem(sys.modules, "uvicorn.protocols.http.httptools_impl", None)  # import fails
    protocol = Connections().protocol(Limits(header_timeout=1, body_timeout=1, max_header_bytes=16_384,
                                             max_connections=100))
    assert any(base.__module__.endswith(f".{request.param}_impl") for base in protocol.__mro__)
    with ThreadedServer(length_of_body, http=protocol, lifespan="off") as server:
        yield RunningServer(server.url, Path("/dev/null"))


def test_each_parser_is_held_to_the_same_bounds(parsed_by: RunningServer) -> None:
    with connect(parsed_by) as sock:  # a body of 100 KB is not a header, and is read whole
        sock.sendall(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + b"a" * 100_000)
        assert one_response(sock)[2] == b"100000"
        sock.sendall(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
        refusal(until_closed(sock), 408, "Request Timeout")
    with connect(parsed_by) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n")
        refusal(until_closed(sock), 408, "Request Timeout")
    with connect(parsed_by) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nX-Filler: " + b"a" * 20_000)
        refusal(until_closed(sock), 431, "Request Header Fields Too Large")


@pytest.mark.parametrize(("wanted", "descriptors", "cap"), [
    (2048, 20_000, 2048), (2048, 1024, 960), (2048, 64, 48), (10, 64, 10), (2048, 2, 2),
    (2048, resource.RLIM_INFINITY, 2048),
])
def test_the_connection_cap_leaves_descriptors_for_the_process(wanted: int, descriptors: int, cap: int) -> None:
    assert connection_cap(wanted, descriptors) == cap


@pytest.mark.parametrize("request_bytes", [
    b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
    b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
    b"GET /v1/reports HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n",
    b"GET /v1/r\xc3\xa9ports HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
], ids=["two-lengths", "length-and-chunked", "obs-fold", "raw-utf8-target", "negative-length"])
def test_bytes_that_are_no_http_request_get_a_400_in_sendkits_shape(quick: RunningServer,
                                                                     request_bytes: bytes) -> None:
    """uvicorn answered these in plain text ("Invalid HTTP request received.")."""
    with connect(quick) as sock:
        sock.sendall(request_bytes)
        shaped = refusal(until_closed(sock), 400, "Bad Request")
    assert "not valid HTTP/1.1" in str(shaped["message"])
