"""The real console script on a free port, for tests that need a running server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import pytest
import requests

SCRIPT = shutil.which("sendkit-mock", path=os.path.dirname(sys.executable)) or "sendkit-mock"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RunningServer(NamedTuple):
    url: str
    log: Path  # everything the server printed: a file, since a pipe nobody reads fills and blocks the server


@contextmanager
def running(log: Path, *flags: str, command: str = "serve", https_ca: Path | None = None) -> Iterator[RunningServer]:
    """`sendkit-mock serve` (or another serving command) on a free port with these flags, until the block ends;
    with `https_ca` the port serves HTTPS (--tls) and is awaited with that CA."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen([SCRIPT, command, "--port", str(port), *flags], stdout=out, stderr=subprocess.STDOUT)
    base = f"{'https' if https_ca else 'http'}://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                requests.get(f"{base}/openapi.json", timeout=0.5, verify=str(https_ca) if https_ca else True)
                break
            except (requests.ConnectionError, requests.Timeout):  # workers still starting behind a bound socket
                time.sleep(0.05)
        else:
            pytest.fail("the server did not answer within 15 s:\n" + log.read_text())
        yield RunningServer(base, log)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    """A quick lifecycle (ready within 0.5 s) and a seed of its own."""
    with running(tmp_path / "server.log", "--queued-seconds", "0.2", "--processing-seconds", "0.3", "--seed", "5") as s:
        yield s


@pytest.fixture
def default_server(tmp_path: Path) -> Iterator[RunningServer]:
    """What `make run` starts: every setting at its default."""
    with running(tmp_path / "server.log") as s:
        yield s
