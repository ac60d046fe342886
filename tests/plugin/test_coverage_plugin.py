"""The plugin's API coverage of a test run, as a user meets it: pytester runs a suite that exercises a known
subset of SendKit's API and reads what the plugin reports (terminal, JSON, HTML), the gate, and xdist's merge."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

SUITE = '''
import requests

def test_create(sendkit_mock):
    key = {"X-Api-Key": sendkit_mock.keys.workspace}
    assert requests.post(f"{sendkit_mock.url}/v1/reports", json={"reportType": "workspace"}, headers=key).status_code == 201

def test_list_without_a_key(sendkit_mock):
    assert requests.get(f"{sendkit_mock.url}/v1/reports").status_code == 401

def test_a_stubbed_429(sendkit_mock):
    sendkit_mock.stub("GET", "/v1/reports", 429)
    key = {"X-Api-Key": sendkit_mock.keys.workspace}
    assert requests.get(f"{sendkit_mock.url}/v1/reports", headers=key).status_code == 429

def test_in_process(sendkit_mock_app):
    key = {"X-Api-Key": sendkit_mock_app.keys.workspace}
    assert sendkit_mock_app.client.get("/v1/webhooks", headers=key).status_code == 200
'''
FLAGS = ("-p", "no:cacheprovider", "-p", "no:schemathesis")


def met(found: dict) -> dict[str, list[int]]:
    return {row["operationId"]: [a["status"] for a in row["answers"] if a["received"]]
            for row in found["byOperation"] if row["calls"]}


def test_a_known_subset_is_reported_in_the_terminal_json_and_html(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=textwrap.dedent(SUITE))
    result = pytester.runpytest_subprocess(*FLAGS, "--sendkit-mock-coverage=term,json,html")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["sendkit-mock coverage: operations 3/15 (20.0%), documented answers 4/*",
                                 "*never called: *deleteReport*", "*GET    /v1/reports * 200- 400- 401+*"])
    found = json.loads((pytester.path / "sendkit-mock-coverage.json").read_text())
    assert met(found) == {"createReport": [201], "listReports": [401, 429], "listWebhooks": [200]}
    injected = {a["status"]: a["injected"] for row in found["byOperation"] if row["operationId"] == "listReports"
                for a in row["answers"]}
    assert injected[429] == 1 and injected[401] == 0  # the stub's 429 counts, and says it was injected
    page = (pytester.path / "sendkit-mock-coverage.html").read_text()
    assert page.count('class="met"') == 4 and 'class="missed"' in page and "POST /v1/reports" in page


def test_the_gate_fails_under_the_threshold_and_passes_over_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=textwrap.dedent(SUITE))
    failed = pytester.runpytest_subprocess(*FLAGS, "--sendkit-mock-coverage-fail-under=50")
    assert failed.ret == pytest.ExitCode.TESTS_FAILED
    failed.stdout.fnmatch_lines(["*sendkit-mock coverage: FAIL: *% of documented answers met, under "
                                 "--sendkit-mock-coverage-fail-under=50"])
    passed = pytester.runpytest_subprocess(*FLAGS, "--sendkit-mock-coverage-fail-under=1")
    assert passed.ret == pytest.ExitCode.OK


def test_a_run_that_met_nothing_is_not_checked_and_fails_a_gate(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite="def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess(*FLAGS, "--sendkit-mock-coverage-fail-under=1")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["sendkit-mock coverage: not checked*", "*FAIL: not checked*"])


def test_two_xdist_workers_are_merged(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=textwrap.dedent(SUITE))
    result = pytester.runpytest_subprocess(*FLAGS, "-n", "2", "--sendkit-mock-coverage=json")
    result.assert_outcomes(passed=4)
    found = json.loads((pytester.path / "sendkit-mock-coverage.json").read_text())
    assert met(found) == {"createReport": [201], "listReports": [401, 429], "listWebhooks": [200]}


def test_the_readme_suite_reaches_100_percent_of_what_its_client_calls(pytester: pytest.Pytester) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme[readme.index("A suite that reaches 100%"):]
    command = re.search(r"run with `pytest (.*?)`", section, re.S)
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert command is not None and example is not None
    pytester.makepyfile(test_client=example.group(1))
    result = pytester.runpytest_subprocess(*FLAGS, "-W", "error", *command.group(1).split(),
                                           "--sendkit-mock-coverage=json")
    result.assert_outcomes(passed=22)
    found = json.loads((pytester.path / "sendkit-mock-coverage.json").read_text())
    assert found["scope"] == ["createReport", "getReport"] and found["answers"]["percent"] == 100.0
    assert [row["operationId"] for row in found["byOperation"]] == ["createReport", "getReport"]
    assert found["lifecycle"]["polledToCompletion"] and found["lifecycle"]["missed"] == ["processing", "failed"]
    assert all(row["violations"] == [] for row in found["byOperation"])  # stubbed errors are not the client's


def test_a_scope_that_names_no_operation_stops_the_run_at_its_start(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=textwrap.dedent(SUITE))
    result = pytester.runpytest_subprocess(*FLAGS, "--sendkit-mock-coverage-operations=createReport,getReprot")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--sendkit-mock-coverage-operations: not an operation id or a tag of "
                                 "SendKit's contract: getReprot*"])


def test_the_requests_of_another_session_a_test_opened_count_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite='''
import requests

def test_two_sessions(sendkit_mock):
    other = sendkit_mock.other_session("second")
    key = {"X-Api-Key": sendkit_mock.keys.workspace}
    requests.get(f"{sendkit_mock.url}/v1/webhooks", headers={**key, **other.headers})
    requests.get(f"{sendkit_mock.url}/v1/reports", headers=key)

def test_a_later_test(sendkit_mock):
    requests.get(f"{sendkit_mock.url}/v1/reports")
''')
    result = pytester.runpytest_subprocess(*FLAGS, "--sendkit-mock-coverage=json")
    result.assert_outcomes(passed=2)
    found = json.loads((pytester.path / "sendkit-mock-coverage.json").read_text())
    assert found["requests"] == 3
    assert met(found) == {"listReports": [200, 401], "listWebhooks": [200]}
