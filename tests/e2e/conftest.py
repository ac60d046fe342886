"""The real console script on a free port, for tests that need a running server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests

SCRIPT = shutil.which("sendkit-mock", path=os.path.dirname(sys.executable)) or "sendkit-mock"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    proc = subprocess.Popen(
        [SCRIPT, "serve", "--port", str(port), "--queued-seconds", "0.2", "--processing-seconds", "0.3", "--seed", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                requests.get(f"{base}/openapi.json", timeout=0.5)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("the server did not answer within 15 s")
        yield base, proc
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # drains and closes the pipe
