"""System parts that some tests need (Node, npm tools): found, installed from the project's lock file, or skipped.

On a person's machine a missing part skips its tests with what to install. With SENDKIT_MOCK_REQUIRE_TOOLS=1
(set by `.ci/run`) a missing part fails them instead, so CI proves everything.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
NODE_TOOLS = ROOT / "tools" / "node"
REQUIRED = os.environ.get("SENDKIT_MOCK_REQUIRE_TOOLS") == "1"


def missing(what: str, install: str) -> None:
    """Skip (or, in CI, fail) naming what is missing and how to install it."""
    message = f"{what} is not installed: {install}"
    if REQUIRED:
        pytest.fail(message + " (SENDKIT_MOCK_REQUIRE_TOOLS=1 turns this skip into a failure)")
    pytest.skip(message)


def command(name: str, install: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing(name, install)
    assert found is not None
    return found


def node_bin(tool: str) -> Path:
    """A tool from tools/node/package-lock.json, installed with `npm ci` on first use."""
    command("node", "apt-get install nodejs npm (Node.js 20.19 or newer)")
    npm = command("npm", "apt-get install npm")
    path = NODE_TOOLS / "node_modules" / ".bin" / tool
    if path.exists():
        return path
    with (NODE_TOOLS / ".npm-ci.lock").open("w") as lock:  # pytest-xdist workers: one `npm ci`, the others wait
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_TOOLS,
                                  capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                pytest.fail(f"npm ci in {NODE_TOOLS} failed:\n{done.stdout}\n{done.stderr}")
    return path
