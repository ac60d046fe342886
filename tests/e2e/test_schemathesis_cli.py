"""Schemathesis' own CLI, as a user runs it: `st run --checks all` on the live server's two documents, SendKit's
contract (`/openapi.json`) and then the mock's own API (`/__mock/openapi.json`), no hooks, at least 10,000
generated cases between them, counted twice: by Schemathesis (its JSON report) and by the server (its access
log, one line per answered request). A run that sent fewer, or none, fails.

Webhook paths are left out so that nothing calls a generated URL off the machine (tests/contract covers them
in-process, with a recording sender). The run on SendKit's contract cannot reach the control plane or name a
session, so it leaves the server as it found it; the run on the mock's own API acts on a session of its own
(README: fuzz the mock's own API only on a mock of your own).

Each run reads a config file (CONFIGS) that widens one check on one operation, for a rule no schema can
state, and says why next to it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from ..conftest import WS_KEY
from .conftest import RunningServer

pytestmark = pytest.mark.e2e
ST = Path(sys.executable).parent / "st"
SEED = "20261202"
MAX_EXAMPLES = 300  # per operation: 4,057 cases on SendKit's contract and 6,921 on the mock's own API (seed below)
WANTED_CASES = 10_000
# positive_data_acceptance's default statuses, and 400.
_WITH_400 = '["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]'
# negative_data_rejection's default statuses, and 413 and 431: a body or a request line over the mock's limits is
# refused as such before it is read, a rejection the contract documents on every operation.
_REJECTED = '["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "431", "5xx"]'
_GLOBAL = f"""[checks.negative_data_rejection]
expected-statuses = {_REJECTED}
"""
CONFIGS = {  # one per document: a filter that matches no operation of a run is a warning
    "sendkit": _GLOBAL + f"""
# POST /v1/reports refuses a period whose end is before its start: a 400 naming periodEnd. The rule is inferred
# (openapi.yaml says so in the field's description, `x-sendkit-inferred`, and `x-sendkit-not-before`), and JSON
# Schema cannot state it, since it compares two fields. Schemathesis reads the schema alone, so its positive
# data carries reversed periods, and positive_data_acceptance would call that 400 a refused valid request. The
# CLI takes no hook without a hooks module, so here the check accepts a 400 on this operation; tests/contract
# keeps positive periods in order with a hook and holds POST /v1/reports to the strict check.
[[operations]]
include-operation-id = "createReport"
checks.positive_data_acceptance.expected-statuses = {_WITH_400}
""",
    "mock": _GLOBAL + f"""
# PUT /__mock/state: a state document's entries are the mock's internals, opaque to the schema
# (`items: {{type: object}}`), so generated entries are schema-valid and refused, naming each one. tests/contract
# sends a real export instead and holds the operation to the strict check.
[[operations]]
include-operation-id = "mockReplaceState"
checks.positive_data_acceptance.expected-statuses = {_WITH_400}

# POST /__mock/stubs: a stub names an operation of SendKit's contract and one of its documented statuses and
# examples; rules across two documents that no schema states, so a schema-valid stub can name a path SendKit
# has not and be refused, naming the field. tests/contract sends a real stub and holds it to the strict check.
[[operations]]
include-operation-id = "mockAddStub"
checks.positive_data_acceptance.expected-statuses = {_WITH_400}

# GET /__mock/coverage?operations=: operation ids or tags of SendKit's contract, a rule across two documents;
# a schema-valid name SendKit has not is refused, naming the field. tests/contract sends real names.
[[operations]]
include-operation-id = "mockCoverage"
checks.positive_data_acceptance.expected-statuses = {_WITH_400}
""",
}
_ANSWERED = re.compile(r'"[A-Z]+ /(?:v1|__mock)/(?!openapi\.)\S* HTTP/1\.1" \d{3}')


def st_run(base: str, document: str, tmp_path: Path, name: str, *flags: str) -> tuple[str, dict[str, Any]]:
    """`st run --checks all` on one document; its output and its JSON report. Fails unless it found nothing."""
    config = tmp_path / f"{name}.toml"
    config.write_text(CONFIGS[name])
    done = subprocess.run(
        [str(ST), "--config-file", str(config), "run", f"{base}{document}", "--checks", "all",
         "-H", f"X-Api-Key: {WS_KEY}", *flags, "--max-examples", str(MAX_EXAMPLES), "--seed", SEED,
         "--generation-database", "none", "--report", "junit,json",
         "--report-junit-path", str(tmp_path / f"{name}.xml"), "--report-json-path", str(tmp_path / f"{name}.json")],
        cwd=tmp_path, capture_output=True, text=True, timeout=900,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    report = json.loads((tmp_path / f"{name}.json").read_text())
    assert report["failures"] == [] and report["errors"] == [], output
    junit = (tmp_path / f"{name}.xml").read_text()
    assert 'failures="0"' in junit and 'errors="0"' in junit
    assert report["operations"]["tested"] == report["operations"]["selected"] > 0, report["operations"]
    return output, report


def answered(server: RunningServer) -> int:
    """The requests the server answered on either document's operations, from its access log (written in
    batches: a last request's line shows that every line before it is there)."""
    with urllib.request.urlopen(f"{server.url}/openapi.json?flushed", timeout=10):
        pass
    deadline, last = time.monotonic() + 10, '"GET /openapi.json?flushed HTTP/1.1" 200'
    while last not in (log := server.log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert last in log, "the access log never showed the last request (is it off?)"
    return len(_ANSWERED.findall(log))


def sessions(base: str) -> list[str]:
    with urllib.request.urlopen(f"{base}/__mock/server", timeout=10) as answer:
        return list(json.load(answer)["data"]["sessions"])


def test_st_run_with_every_check_on_both_documents_finds_nothing_in_ten_thousand_cases(
        default_server: RunningServer, tmp_path: Path) -> None:
    """Against what `make run` starts: the spec's examples name ids the default seed gives (the first report
    and webhook), so the examples phase reaches real reports, as Swagger UI's "Try it out" does."""
    base, _ = default_server
    output, sendkit = st_run(base, "/openapi.json", tmp_path, "sendkit", "--exclude-path-regex", "^/v1/webhooks")
    assert "No issues found" in output and "Warnings:" not in output, output  # no warnings block either
    assert "/__mock" not in (tmp_path / "sendkit.xml").read_text()  # not one case on the control plane
    assert sessions(base) == ["default"]  # no session made up by the run
    _, mock = st_run(base, "/__mock/openapi.json", tmp_path, "mock", "-H", "X-Mock-Session: schemathesis")
    # One warning is the document's nature: no operation of the mock's own API makes a report (SendKit's API
    # does), so no link leads to one and its two report operations mostly meet unknown ids (a 404).
    warned = {kind: sorted(found) for kind, found in mock["warnings"].items() if found}
    assert warned in ({}, {"missing_test_data": ["GET /reports/{id}", "PUT /reports/{id}/status"]}), warned
    generated = sendkit["test_cases"]["generated"] + mock["test_cases"]["generated"]
    served = answered(default_server)
    assert generated >= WANTED_CASES and served >= WANTED_CASES, (generated, served)
