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
from typing import Any, NamedTuple

import pytest
import requests

from ..tooling import missing

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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through selenium, one per module."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        missing("Chromium and its driver", "apt-get install chromium chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("selenium", "pip install -c constraints.txt -e '.[test]'")
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1100",
                 "--disable-gpu", "--no-first-run"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(driver_path)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
