"""Faults and delays through a real socket: what a client sees when the mock breaks the answer on purpose."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from ..conftest import WS_KEY
from .conftest import running


def raw(url: str, prefer: str, timeout: float = 10) -> tuple[bytes, BaseException | None]:
    """GET /v1/reports over a plain socket; everything received, and the error that ended it, if any."""
    host, port = url.removeprefix("http://").split(":")
    received, error = b"", None
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(f"GET /v1/reports HTTP/1.1\r\nHost: {host}\r\nX-Api-Key: {WS_KEY}\r\nPrefer: {prefer}\r\n"
                     "Connection: close\r\n\r\n".encode())
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError as exc:
            error = exc
    return received, error


def test_each_fault_breaks_the_answer_as_named(tmp_path: Path) -> None:
    with running(tmp_path / "server.log") as server:
        received, error = raw(server.url, "fault=connection-reset")
        assert received == b"" and isinstance(error, ConnectionResetError)
        received, error = raw(server.url, "fault=empty-response")
        assert received == b"" and error is None  # closed with no answer at all
        received, error = raw(server.url, "fault=malformed-body")
        head, _, body = received.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(
            b"content-length")))
        assert head.startswith(b"HTTP/1.1 200") and 0 < len(body) < length  # cut short, then closed
        started = time.monotonic()
        slow = requests.get(f"{server.url}/v1/reports", headers={"X-Api-Key": WS_KEY,
                                                                   "Prefer": "fault=slow-body, delay=600"},
                            stream=True, timeout=10)
        chunks = [(time.monotonic() - started, c) for c in slow.iter_content(chunk_size=8)]
        assert b"".join(c for _, c in chunks).startswith(b'{"success":true')
        assert len(chunks) > 1 and chunks[-1][0] - chunks[0][0] >= 0.4  # dribbled, not sent at once
        assert slow.headers["Preference-Applied"] == "delay=600, fault=slow-body"
        # the server is still serving, and the journal says what happened to each
        journal = requests.get(f"{server.url}/__mock/requests", timeout=5).json()["data"]
        assert [e["injected"] for e in journal[:4]] == ["fault=slow-body", "fault=malformed-body",
                                                         "fault=empty-response", "fault=connection-reset"]
        assert "Traceback" not in server.log.read_text()


def test_a_hundred_delayed_requests_hold_no_thread(tmp_path: Path) -> None:
    with running(tmp_path / "server.log") as server:
        finished: list[float] = []
        lock = threading.Lock()

        def delayed(_: int) -> int:
            answer = requests.get(f"{server.url}/v1/reports", headers={"X-Api-Key": WS_KEY, "Prefer": "delay=3000"},
                                  timeout=30)
            with lock:
                finished.append(time.monotonic())
            return answer.status_code

        with ThreadPoolExecutor(100) as pool:
            waiting = [pool.submit(delayed, i) for i in range(100)]
            time.sleep(1.0)  # all hundred are in the server, each held for 3 s
            quick = requests.get(f"{server.url}/v1/reports", headers={"X-Api-Key": WS_KEY}, timeout=10)
            answered_at = time.monotonic()
            assert quick.status_code == 200 and "Preference-Applied" not in quick.headers
            with lock:
                assert finished == []  # the undelayed one answered while every delayed one still waited
            assert [w.result() for w in waiting] == [200] * 100
        assert min(finished) > answered_at


def test_a_sessions_latency_slows_that_session_alone(tmp_path: Path) -> None:
    with running(tmp_path / "server.log", "--latency", "uniform:0-1") as server:
        slow = {"X-Mock-Session": "slow"}
        changed = requests.patch(f"{server.url}/__mock/settings", json={"latency": "400"}, headers=slow, timeout=5)
        assert changed.json()["data"]["latency"] == "400"
        assert requests.get(f"{server.url}/__mock/settings", timeout=5).json()["data"]["latency"] == "uniform:0-1"

        def took(headers: dict[str, str]) -> float:
            started = time.monotonic()
            answer = requests.get(f"{server.url}/v1/reports", headers={"X-Api-Key": WS_KEY, **headers}, timeout=10)
            assert answer.status_code == 200
            return time.monotonic() - started

        assert min(took(slow) for _ in range(3)) >= 0.4
        assert requests.get(f"{server.url}/__mock/clock", headers=slow, timeout=5).elapsed.total_seconds() < 0.4
        assert min(took({}) for _ in range(3)) < 0.4  # the flag's 0-1 ms, not the other session's 400
