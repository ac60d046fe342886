"""The README's control-plane test runs as written against the real server."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import requests

from ..tooling import ROOT
from .conftest import RunningServer, running

pytestmark = pytest.mark.e2e
README = (ROOT / "README.md").read_text()


def test_the_readme_requests_test_passes_against_the_running_mock(default_server: RunningServer) -> None:
    section = README[README.index("## Sessions and the control plane"):README.index("## Settings")]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    assert 'BASE = "http://127.0.0.1:4010"' in code
    exec(code.replace("http://127.0.0.1:4010", default_server.url), {})  # its asserts are the test


def test_the_readme_control_plane_block_runs_as_written_top_to_bottom(default_server: RunningServer,
                                                                      tmp_path: Path) -> None:
    """Every curl of the block answers 2xx in order (curl fails the script on any 4xx or 5xx), and the
    answers it shows in its comments are the ones it gets."""
    section = README[README.index("## Sessions and the control plane"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    script = "set -euo pipefail\ncurl() { command curl --fail-with-body \"$@\"; echo; }\n" + block.group(1).replace(
        "http://127.0.0.1:4010", default_server.url)
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert all(answer["success"] is True for answer in answers), done.stdout
    assert answers[0]["data"]["session"] == "my-test" and answers[1]["data"]["mode"] == "real"
    assert answers[2]["data"]["reports"][0]["id"] == "5fd99d2f5f9abfeb15dcfcb8"
    assert answers[3]["data"]["status"] == "failed"
    saved = json.loads((tmp_path / "bug.json").read_text())
    assert saved["success"] is True and "journal" not in saved["data"]  # PUT took the answer as saved
    assert answers[-1]["data"]["reports"] == saved["data"]["reports"]


def test_the_readme_security_block_runs_as_written(tmp_path: Path) -> None:
    section = README[README.index("## Security"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    token = re.search(r"TOKEN=(\S+)", block.group(1))
    assert token is not None
    with running(tmp_path / "server.log", "--admin-token", token.group(1)) as server:
        script = "set -euo pipefail\n" + block.group(1).replace("http://127.0.0.1:4010", server.url)
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0 and json.loads(done.stdout)["data"]["store"] == "memory", done.stdout
        refused = requests.get(f"{server.url}/__mock/server", timeout=5)
        assert refused.status_code == 401  # the block's header is what opened it
