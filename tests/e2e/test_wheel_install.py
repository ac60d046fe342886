"""A plain `pip install` of the wheel, without the test extras, greets the user with the banner and nothing else."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[2]
UVICORN_LINE = re.compile(r"^INFO: {5}(Started server process|Waiting for application|Application (startup|shutdown)|"
                          r"Uvicorn running on|Shutting down|Finished server process|127\.0\.0\.1:\d+ - )")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, installed in a fresh virtualenv with the pinned runtime dependencies."""
    where = tmp_path_factory.mktemp("wheel")
    run = {"check": True, "capture_output": True, "text": True, "timeout": 600}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(where), str(ROOT)], **run)
    (wheel,) = where.glob("sendkit_mock-*.whl")
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], **run)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-c", str(ROOT / "constraints.txt")]
    subprocess.run([*pip, str(wheel)], **run)
    return venv / "bin" / "sendkit-mock"


def test_the_installed_script_prints_the_banner_and_uvicorn_alone(installed: Path, tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([str(installed), "serve", "--port", str(port)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                assert requests.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("the installed server did not answer within 20 s")
        for asset in ("/", "/dashboard/dashboard.js", "/dashboard/dashboard.css"):  # the dashboard ships whole
            assert requests.get(f"http://127.0.0.1:{port}{asset}", timeout=5).status_code == 200, asset
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    banner, doors, store, *rest = output.splitlines()
    assert banner.startswith(f"sendkit-mock on http://127.0.0.1:{port}"), output
    assert doors.startswith(f"control plane http://127.0.0.1:{port}/__mock: open (loopback only)"), output
    assert store.startswith("store: memory (this process"), output
    assert [line for line in rest if not UVICORN_LINE.match(line)] == [], output
