"""The README's control-plane test runs as written against the real server."""

from __future__ import annotations

import re

import pytest

from ..tooling import ROOT
from .conftest import RunningServer

pytestmark = pytest.mark.e2e
README = (ROOT / "README.md").read_text()


def test_the_readme_requests_test_passes_against_the_running_mock(default_server: RunningServer) -> None:
    section = README[README.index("## Sessions and the control plane"):README.index("## Settings")]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    assert 'BASE = "http://127.0.0.1:4010"' in code
    exec(code.replace("http://127.0.0.1:4010", default_server.url), {})  # its asserts are the test
