"""`sendkit-mock contract` against servers on 127.0.0.1: the mock itself (a match), a drifted copy of it (each
drift reported on its own operation, by the check that catches it), and deployments that refuse the key on
every call or on one operation; read from the summary, the exit status and the JUnit XML a CI job would keep.
A verdict is green only when every operation in scope was checked."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from sendkit_mock import Settings, create_mock
from sendkit_mock.cli import main
from sendkit_mock.delivery.senders import RecordingSender
from sendkit_mock.testing import ThreadedServer

from ..conftest import PLATFORM_KEY, WS_ID, WS_KEY
from .drifted import DRIFTS, Drifted, Refusing

FAST = ["--rate-limit", "0"]
MATCH, DRIFT, USAGE, INCOMPLETE, NOT_RUN, KEY_REFUSED = 0, 1, 2, 3, 4, 5


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    # A manual clock: nothing the run creates becomes ready, so no webhook is ever called.
    mock = create_mock(Settings(clock_mode="manual"), sender=RecordingSender())
    with ThreadedServer(mock.app) as server:
        yield server.url


@pytest.fixture(scope="module")
def drifted_url() -> Iterator[str]:
    mock = create_mock(Settings(clock_mode="manual"), sender=RecordingSender())
    with ThreadedServer(Drifted(mock.app)) as server:
        yield server.url


@pytest.fixture()
def expired() -> Iterator[tuple[str, Refusing]]:
    """A deployment on which the key has expired: 401 on every call."""
    refusing = Refusing(create_mock(Settings(clock_mode="manual"), sender=RecordingSender()).app)
    with ThreadedServer(refusing) as server:
        yield server.url, refusing


@pytest.fixture(scope="module")
def one_refused_url() -> Iterator[str]:
    """The key works everywhere but on one operation, which answers 401 to every case."""
    mock = create_mock(Settings(clock_mode="manual"), sender=RecordingSender())
    with ThreadedServer(Refusing(mock.app, only=re.compile(r"^GET /v1/webhooks/[^/]+$"))) as server:
        yield server.url


@pytest.fixture(scope="module")
def no_writes_url() -> Iterator[str]:
    """A key without the right to create reports: 401 on POST /v1/reports, the first operation in scope."""
    mock = create_mock(Settings(clock_mode="manual"), sender=RecordingSender())
    with ThreadedServer(Refusing(mock.app, only=re.compile(r"^POST /v1/reports$"))) as server:
        yield server.url


def suite_of(junit: Path) -> ET.Element:
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    return suite


def failures(junit: Path) -> dict[str, str]:
    """Operation -> the text of its one <failure> (every failed check of it), "" when none, from the JUnit file."""
    found = {}
    for case in suite_of(junit).findall("testcase"):
        if case.find("skipped") is None:
            failed = case.findall("failure")
            assert len(failed) <= 1, case.get("name")
            found[case.get("name", "")] = failed[0].text or "" if failed else ""
    return found


def errors(junit: Path) -> dict[str, str]:
    """Test case -> the type of its <error>, for the cases that have one."""
    return {case.get("name", ""): error.get("type", "") for case in suite_of(junit).findall("testcase")
            for error in case.findall("error")}


def contract(url: str, *args: str, key: str = WS_KEY) -> int:
    return main(["contract", "--base-url", url, "--api-key", key, *args])


def test_the_mock_matches_its_contract_in_every_phase(mock_url: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = contract(mock_url, "--junit-xml", str(tmp_path / "junit.xml"))  # loopback: no rate limit by default
    out, err = capsys.readouterr()
    assert code == MATCH, out
    assert "(rate limit: none)" in out
    assert "MATCH: all 8 operations in scope checked" in out and "8 of 8 operations checked" in out
    for phase in ("examples", "coverage", "fuzzing", "stateful"):
        assert f"[{phase}]" in err  # the progress line went through every phase
    assert "[coverage] GET /v1/webhooks/{id}:" in err  # each operation reached in turn, before fuzzing
    checked = failures(tmp_path / "junit.xml")
    assert set(checked) == {"GET /v1/reports", "POST /v1/reports", "GET /v1/reports/{id}", "GET /v1/webhooks",
                            "GET /v1/webhooks/{id}", "POST /v1/reports/recipients", "GET /v1/reports/recipients",
                            "GET /v1/reports/recipients/{id}"}
    assert all(found == "" for found in checked.values())
    suite = suite_of(tmp_path / "junit.xml")
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    timed = [float(case.get("time", "-1")) for case in suite.findall("testcase") if case.find("skipped") is None]
    assert len(timed) == 8 and all(t > 0 for t in timed)  # the deployment's time answering each operation
    # Safe by default: nothing that deletes or changes, nothing that calls out, no control plane.
    skipped = {c.get("name") for c in suite.findall("testcase") if c.find("skipped") is not None}
    assert {"DELETE /v1/reports/{id}", "PATCH /v1/webhooks/{id}", "POST /v1/webhooks"} <= skipped


def test_destructive_operations_and_a_platform_key_when_asked(mock_url: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = contract(mock_url, "--workspace-id", WS_ID, "--allow-destructive", "--phases", "examples,stateful",
                    "--junit-xml", str(tmp_path / "junit.xml"), key=PLATFORM_KEY)
    out, _ = capsys.readouterr()
    assert code == MATCH, out
    assert {"DELETE /v1/reports/{id}", "PATCH /v1/webhooks/{id}", "POST /v1/webhooks"} <= set(
        failures(tmp_path / "junit.xml"))


def test_each_drift_is_reported_on_its_operation(drifted_url: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = contract(drifted_url, "--phases", "examples,fuzzing", "--max-examples", "10",
                    "--junit-xml", str(tmp_path / "junit.xml"))
    out, err = capsys.readouterr()
    assert code == DRIFT, out
    found = failures(tmp_path / "junit.xml")
    for operation, check in DRIFTS.items():
        assert check in found[operation], (operation, found[operation], out)
    assert {op for op, text in found.items() if text} == set(DRIFTS), out
    assert "DRIFT: 3 of 8 operations differ from openapi.yaml" in out
    progress = [line for line in err.splitlines() if line.startswith("[")]
    assert progress[-1].endswith("3 failed checks on 3 operations")  # counted as they came
    report = out[out.index("DRIFT       GET /v1/reports/{id}"):]
    assert "response_schema_conformance" in report and '"status" is a required property' in report
    reproduce = report[report.index("reproduce with:"):].splitlines()[1].strip()
    # Pasteable: the key from the environment, no header nobody asked for.
    assert reproduce.startswith("curl -X GET") and '-H "X-Api-Key: $SENDKIT_API_KEY"' in reproduce
    assert re.search(r"/v1/reports/[0-9a-f]{24}$", reproduce), reproduce
    for unasked in ("[Filtered]", "User-Agent", "X-Schemathesis", "Prefer", "X-Mock-Session", WS_KEY):
        assert unasked not in out, unasked
    assert "export SENDKIT_API_KEY=" in out


def test_the_budget_reaches_every_operation_before_fuzzing(drifted_url: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """With one case per operation, the drift on GET /v1/webhooks (after both list operations in the
    contract's order) is still found; today's smallest budget is the number of operations in scope."""
    code = contract(drifted_url, "--max-cases", "8", "--junit-xml", str(tmp_path / "junit.xml"))
    out, _ = capsys.readouterr()
    assert code == DRIFT, out
    assert "8 cases on 8 operations" in out and "8 of 8 operations checked" in out
    assert "not_a_server_error" in failures(tmp_path / "junit.xml")["GET /v1/webhooks"]
    assert "stopped early after 8 cases: the case limit (--max-cases 8), before fuzzing and stateful" in out
    assert all(re.search(r"\b1 cases\b", line) for line in out.splitlines() if " /v1/" in line and "  " in line
               and line.strip().split()[0] in ("ok", "DRIFT"))


def test_the_summary_counts_what_was_sent_and_stops_at_the_limit(mock_url: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = contract(mock_url, "--max-cases", "200")
    out, _ = capsys.readouterr()
    assert code == MATCH, out
    assert "200 cases on 8 operations" in out
    assert "stopped early after 200 cases: the case limit (--max-cases 200), before fuzzing and stateful" in out
    counted = sum(int(m.group(1)) for m in re.finditer(r"^  \S+ +[A-Z]+ /v1/\S* +(\d+) cases", out, re.M))
    assert counted == 200, out


@pytest.mark.parametrize("budget", ["1", "5"])
def test_a_budget_that_cannot_reach_every_operation_is_refused_before_sending(
        budget: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = contract("http://127.0.0.1:9", "--max-cases", budget)  # nothing listens: nothing may be tried
    out, err = capsys.readouterr()
    assert code == USAGE
    assert f"--max-cases {budget} cannot reach the 8 operations in scope" in err
    assert "the smallest budget that does is 8" in err and out == ""


def test_a_wrong_key_is_key_refused_and_stops_at_once(mock_url: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = contract(mock_url, "--junit-xml", str(tmp_path / "junit.xml"), key="sk_wrongkey")
    out, _ = capsys.readouterr()
    assert code == KEY_REFUSED, out
    # 10 answers on each of the first three operations, then the run stops
    assert "KEY REFUSED: the API key was refused: 30 of 30 answers were 401" in out
    assert "30 cases on 8 operations" in out and "0 of 8 operations checked" in out
    assert "MATCH" not in out and " ok " not in out
    assert errors(tmp_path / "junit.xml")["the API key"] == "key-refused"
    assert suite_of(tmp_path / "junit.xml").get("errors") == "9"  # the key, and each operation not checked


def test_an_expired_key_on_a_platform_key_is_key_refused(expired: tuple[str, Refusing],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    url, server = expired
    code = contract(url, "--workspace-id", WS_ID, key=PLATFORM_KEY)
    out, _ = capsys.readouterr()
    assert code == KEY_REFUSED, out
    assert "the API key was refused: 30 of 30 answers were 401" in out
    assert server.calls <= 40  # the probe, 10 cases on each of three operations, Schemathesis' own probes


def test_an_operation_that_only_refuses_is_not_checked_and_the_run_incomplete(
        one_refused_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = contract(one_refused_url, "--phases", "examples,coverage", "--junit-xml", str(tmp_path / "junit.xml"))
    out, _ = capsys.readouterr()
    assert code == INCOMPLETE, out
    line = next(line for line in out.splitlines() if "GET /v1/webhooks/{id}" in line)
    assert line.strip().startswith("NOT CHECKED")
    assert "not checked: only refused answers (" in out and "x 401): the key, or the workspace a case named" in out
    assert "INCOMPLETE: 1 of 8 operations not checked (GET /v1/webhooks/{id}); no drift in the 7 checked" in out
    assert errors(tmp_path / "junit.xml") == {"GET /v1/webhooks/{id}": "not-checked"}


def test_one_operation_refusing_first_is_not_a_refused_key(no_writes_url: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = contract(no_writes_url, "--max-cases", "100", "--junit-xml", str(tmp_path / "junit.xml"))
    out, err = capsys.readouterr()
    assert code == INCOMPLETE, out
    assert "7 of 8 operations checked" in out and "KEY REFUSED" not in out
    assert out.strip().splitlines()[-1].startswith("INCOMPLETE: 1 of 8 operations not checked (POST /v1/reports)")
    assert f"JUnit XML: {tmp_path / 'junit.xml'}" in err  # the verdict stays the last line of stdout


def test_an_unreachable_deployment_is_not_run_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    code = contract("http://127.0.0.1:9")
    out, _ = capsys.readouterr()
    assert code == NOT_RUN
    assert "NOT RUN: cannot reach http://127.0.0.1:9" in out and "nothing was checked" in out


@pytest.mark.parametrize(("args", "named"), [
    (["--phases", "examples,fuzz"], "--phases: no phase fuzz"),
    (["--phases", ","], "--phases names no phase"),
    (["-H", "no colon"], "--header 'no colon' is not 'Name: value'"),
    (["-H", "X Foo: bar"], "--header 'X Foo: bar' is not"),
    (["-H", "X-Foo: a\r\nX-Injected: 1"], "is not 'Name: value'"),
    (["-H", "X-\u00dcn\u00ef: v"], "is not 'Name: value'"),
    (["--api-key", WS_KEY + "\n"], "--api-key holds a space, a line break"),
    (["--base-url", ""], "--base-url '' is not an http:// or https:// URL"),
    (["--base-url", "ftp://127.0.0.1:9"], "is not an http:// or https:// URL"),
    (["--max-examples", "0"], "--max-examples 0: at least 1"),
    (["--max-cases", "-5"], "--max-cases -5: at least 1"),
    (["--rate-limit", "0/s"], "--rate-limit '0/s' is not N/s, N/min (or N/m) or N/h"),
    (["--request-timeout", "0"], "--request-timeout 0.0: more than 0 seconds"),
    (["--base-url", "http://127.0.0.1:9/api?x=1"], "no query, fragment or user:password"),
    (["--base-url", "http://user:secret@127.0.0.1:9"], "no query, fragment or user:password"),
    (["--workspace-id", "abc$(x)"], "is not a workspace id (24 hexadecimal digits)"),
    (["-H", f"X-Api-Key: {WS_KEY}"], "-H may not set X-Api-Key or Authorization"),
    (["-H", "authorization: Bearer sk_user_x"], "-H may not set X-Api-Key or Authorization"),
    (["--junit-xml", "/"], "--junit-xml /: not a file that can be written"),
])
def test_bad_options_are_named_before_anything_is_sent(args: list[str], named: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["contract", "--base-url", "http://127.0.0.1:9", "--api-key", WS_KEY, *args])
    out, err = capsys.readouterr()
    assert code == USAGE, out  # not NOT RUN: nothing was tried
    assert named in err and out == ""
    assert WS_KEY not in err and "user:secret" not in err


def test_a_base_url_with_a_path_prefix_is_not_run(mock_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Every answer would be the mock's 404 for an unknown route: no green light from that."""
    for prefix in ("/api", "/v1"):
        code = contract(mock_url + prefix, "--max-cases", "16")
        out, _ = capsys.readouterr()
        assert code == NOT_RUN, out
        assert f"{mock_url}{prefix}/v1/reports answered 404 without a key" in out and "MATCH" not in out


def test_fuzzing_alone_still_reaches_every_operation(mock_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = contract(mock_url, "--phases", "fuzzing", "--max-cases", "8")
    out, err = capsys.readouterr()
    assert code == MATCH, out
    assert "8 cases on 8 operations" in out and "[fuzzing] GET /v1/webhooks/{id}:" in err


def test_ctrl_c_ends_the_run_incomplete_never_a_match(mock_url: str) -> None:
    command = [str(Path(sys.executable).parent / "sendkit-mock"), "contract", "--base-url", mock_url,
               "--api-key", WS_KEY]
    # As from a terminal: a shell without job control starts its background jobs with SIGINT ignored.
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) as process:
        assert process.stderr is not None
        for line in process.stderr:  # the progress line, one line per step off a terminal
            if line.startswith("[coverage]"):
                break
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
    assert process.returncode == INCOMPLETE, out
    assert "INCOMPLETE: interrupted after" in out and "MATCH" not in out
