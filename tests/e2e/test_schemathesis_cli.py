"""Schemathesis' own CLI, as a new user runs it: `st run` on the live server's /openapi.json, every check, no
hooks, no config file. Webhook paths are left out so that nothing calls a generated URL off the machine.
`/openapi.json` is SendKit's contract alone: the run cannot reach the control plane or name a session, so it
leaves the server as it found it (the mock's own API, `/__mock/openapi.json`, is covered in-process by
tests/contract on sessions of its own)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from ..conftest import WS_KEY
from .conftest import RunningServer

pytestmark = pytest.mark.e2e
ST = Path(sys.executable).parent / "st"


def test_st_run_with_every_check_finds_nothing_and_warns_of_nothing(default_server: RunningServer,
                                                                      tmp_path: Path) -> None:
    """Against what `make run` starts: the spec's examples name ids the default seed gives (the first report
    and webhook), so the examples phase reaches real reports, as Swagger UI's "Try it out" does."""
    base, _ = default_server
    done = subprocess.run(
        [str(ST), "run", f"{base}/openapi.json", "--checks", "all", "-H", f"X-Api-Key: {WS_KEY}",
         "--exclude-path-regex", "^/v1/webhooks",
         "--max-examples", "60", "--seed", "20261202",
         "--generation-database", "none", "--report-junit-path", str(tmp_path / "junit.xml")],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "No issues found" in output, output
    assert "Warnings:" not in output, output  # the summary has no warnings block
    junit = (tmp_path / "junit.xml").read_text()
    assert 'failures="0"' in junit and 'errors="0"' in junit
    assert "/__mock" not in junit  # not one case on the control plane
    with urllib.request.urlopen(f"{base}/__mock/server", timeout=10) as answer:
        assert json.load(answer)["data"]["sessions"] == ["default"]  # no session made up by the run
