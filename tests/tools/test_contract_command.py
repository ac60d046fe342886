"""`sendkit-mock contract` against servers on 127.0.0.1: the mock itself (a match) and a drifted copy of it
(each drift reported on its own operation, by the check that catches it), read from the summary and the
JUnit XML a CI job would keep."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from sendkit_mock import Settings, create_mock
from sendkit_mock.cli import main
from sendkit_mock.delivery.senders import RecordingSender
from sendkit_mock.testing import ThreadedServer

from ..conftest import PLATFORM_KEY, WS_ID, WS_KEY
from .drifted import DRIFTS, Drifted

FAST = ["--rate-limit", "0"]


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


def failures(junit: Path) -> dict[str, set[str]]:
    """Operation -> the checks that failed on it, from the JUnit file."""
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    return {case.get("name", ""): {f.get("type", "") for f in case.findall("failure")}
            for case in suite.findall("testcase") if case.find("skipped") is None}


def test_the_mock_matches_its_contract_in_every_phase(mock_url: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["contract", "--base-url", mock_url, "--api-key", WS_KEY, *FAST,
                 "--junit-xml", str(tmp_path / "junit.xml")])
    out, err = capsys.readouterr()
    assert code == 0, out
    assert "MATCH: every operation conforms to openapi.yaml" in out
    for phase in ("examples", "coverage", "fuzzing", "stateful"):
        assert f"[{phase}]" in err  # the progress line went through every phase
    checked = failures(tmp_path / "junit.xml")
    assert set(checked) >= {"GET /v1/reports", "POST /v1/reports", "GET /v1/reports/{id}"}
    assert all(found == set() for found in checked.values())
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0" and suite.get("errors") == "0"
    # Safe by default: nothing that deletes or changes, nothing that calls out, no control plane.
    skipped = {c.get("name") for c in suite.findall("testcase") if c.find("skipped") is not None}
    assert {"DELETE /v1/reports/{id}", "PATCH /v1/webhooks/{id}", "POST /v1/webhooks"} <= skipped
    assert not any(name.startswith("GET /__mock") for name in checked)


def test_destructive_operations_and_a_platform_key_when_asked(mock_url: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["contract", "--base-url", mock_url, "--api-key", PLATFORM_KEY, "--workspace-id", WS_ID,
                 "--allow-destructive", "--phases", "examples,stateful", *FAST,
                 "--junit-xml", str(tmp_path / "junit.xml")])
    out, _ = capsys.readouterr()
    assert code == 0, out
    assert {"DELETE /v1/reports/{id}", "PATCH /v1/webhooks/{id}", "POST /v1/webhooks"} <= set(
        failures(tmp_path / "junit.xml"))


def test_each_drift_is_reported_on_its_operation(drifted_url: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["contract", "--base-url", drifted_url, "--api-key", WS_KEY, *FAST, "--phases",
                 "examples,fuzzing", "--max-examples", "10", "--junit-xml", str(tmp_path / "junit.xml")])
    out, _ = capsys.readouterr()
    assert code == 1, out
    found = failures(tmp_path / "junit.xml")
    for operation, check in DRIFTS.items():
        assert check in found[operation], (operation, found[operation], out)
    assert {op for op, checks in found.items() if checks} == set(DRIFTS), out
    assert "DRIFT: 3 of 8 operations differ from openapi.yaml" in out
    report = out[out.index("DRIFT GET /v1/reports/{id}"):]
    assert "response_schema_conformance" in report and '"status" is a required property' in report
    assert "reproduce with:" in report and "curl -X GET" in report and "/v1/reports/" in report


def test_an_unreachable_deployment_is_exit_2_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["contract", "--base-url", "http://127.0.0.1:9", "--api-key", WS_KEY])
    out, _ = capsys.readouterr()
    assert code == 2
    assert "cannot reach http://127.0.0.1:9" in out and "NOT RUN" in out


def test_bad_options_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["contract", "--base-url", "http://127.0.0.1:9", "--api-key", WS_KEY, "--phases", "examples,fuzz",
                 "-H", "no colon"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "--phases: no phase fuzz" in err and "--header 'no colon' is not 'Name: value'" in err
