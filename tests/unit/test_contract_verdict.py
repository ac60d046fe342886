"""The contract run's verdict from what it saw: green only when every operation in scope was checked, one exit
status per verdict, and reproductions a person can paste."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sendkit_mock.contract import CheckOptions, OperationResult, RunResult, Verdict
from sendkit_mock.contract.reproduce import Sent, Wanted, curl
from sendkit_mock.contract.verdict import MEANINGS, Drift


def operation(label: str = "GET /v1/reports", needs_key: bool = True, **statuses: int) -> OperationResult:
    result = OperationResult(label, needs_key=needs_key, documented=frozenset({200, 404}))
    result.statuses = Counter({int(code.removeprefix("s")): n for code, n in statuses.items()})
    result.cases = sum(result.statuses.values())
    return result


def test_an_operation_is_checked_only_when_an_answer_reached_its_logic() -> None:
    assert not operation().checked  # 0 cases
    assert not operation(s401=7, s403=2).checked  # only refused
    assert operation(s401=7, s404=1).checked
    assert not operation(needs_key=False, s500=3).checked  # undocumented answers only
    assert operation(needs_key=False, s404=1).checked


@pytest.mark.parametrize(("operations", "extra", "verdict"), [
    ([operation(s200=3), operation("POST /v1/reports", s201=1)], {}, Verdict.MATCH),
    ([operation(s200=3), operation("POST /v1/reports")], {}, Verdict.INCOMPLETE),  # 0 cases
    ([operation(s200=3), operation("POST /v1/reports", s401=4)], {}, Verdict.INCOMPLETE),
    ([], {}, Verdict.INCOMPLETE),  # nothing in scope is not a match
    ([operation(s200=3)], {"refused": "the API key was refused"}, Verdict.KEY_REFUSED),
    ([operation()], {"fatal": "cannot reach"}, Verdict.NOT_RUN),
    ([operation(s200=1)], {"fatal": "went wrong later"}, Verdict.INCOMPLETE),
])
def test_the_verdict(operations: list[OperationResult], extra: dict[str, str], verdict: Verdict) -> None:
    result = RunResult({o.label: o for o in operations}, [], **extra)  # type: ignore[arg-type]
    assert result.verdict is verdict
    assert result.matched is (verdict is Verdict.MATCH)


def test_a_drift_outweighs_an_operation_not_checked_and_an_error_is_no_match() -> None:
    drifted, unchecked, erred = operation(s200=1), operation("POST /v1/reports"), operation("GET /v1/webhooks", s200=1)
    drifted.drifts[("not_a_server_error", "Server error")] = Drift("not_a_server_error", "Server error", "", "", 500)
    erred.errors.append("ConnectionError: reset")
    assert RunResult({o.label: o for o in (drifted, unchecked)}, []).verdict is Verdict.DRIFT
    assert RunResult({erred.label: erred}, []).verdict is Verdict.INCOMPLETE


def test_each_verdict_has_its_own_exit_status() -> None:
    statuses = [status for _, status, _ in MEANINGS]
    assert len(set(statuses)) == len(statuses) == len(Verdict) + 1  # and the usage error's 2
    assert Verdict.MATCH.exit_status == 0 and all(v.exit_status for v in Verdict if v is not Verdict.MATCH)


@pytest.mark.parametrize(("url", "rate"), [
    ("http://127.0.0.1:4010", None), ("http://localhost:4010", None), ("http://[::1]:4010", None),
    ("http://127.0.0.2", None), ("http://127.1:4010", None), ("https://api.sendkit.example", "5/s"),
    ("http://10.0.0.5:4010", "5/s"), ("http://10.1:4010", "5/s"),
])
def test_no_rate_limit_on_loopback_by_default(url: str, rate: str | None) -> None:
    assert CheckOptions(base_url=url, api_key="sk_x").rate == rate
    assert CheckOptions(base_url=url, api_key="sk_x", rate_limit="100/m").rate == "100/m"
    assert CheckOptions(base_url=url, api_key="sk_x", rate_limit=None).rate is None


def test_a_reproduction_reads_the_key_from_the_environment_and_shows_only_what_was_asked() -> None:
    sent = Sent("POST", "http://127.0.0.1:4010/v1/reports?x=it's", {
        "User-Agent": ["schemathesis/4"], "X-Api-Key": ["sk_secret"], "Prefer": ["return=representation"],
        "X-Workspace-Id": ["665a"], "Content-Type": ["application/json"], "X-Schemathesis-TestCaseId": ["a1"]},
        b'{"title": "it\'s"}')
    command = curl(sent, Wanted.of("sk_secret", ["X-Workspace-Id"]))
    assert command == ("""curl -X POST -H "X-Api-Key: $SENDKIT_API_KEY" -H 'X-Workspace-Id: 665a' """
                       """-H 'Content-Type: application/json' --data-binary '{"title": "it'"'"'s"}' """
                       """'http://127.0.0.1:4010/v1/reports?x=it'"'"'s'""")
    bearer = curl(Sent("GET", "http://h/v1/reports", {"Authorization": ["Bearer sk_user_k"]}, None),
                  Wanted.of("sk_user_k"))
    assert bearer == 'curl -X GET -H "Authorization: Bearer $SENDKIT_API_KEY" http://h/v1/reports'
    other = curl(Sent("GET", "http://h/", {"X-Api-Key": ["made-up"]}, None), Wanted.of("sk_user_k", ["x-api-key"]))
    assert other == "curl -X GET -H 'X-Api-Key: made-up' http://h/"  # a generated key is part of the case
    echoed = curl(Sent("GET", "http://h/", {"X-Echo": ['k$1" then $(id)']}, None), Wanted.of('k$1"', ["x-echo"]))
    assert echoed == 'curl -X GET -H "X-Echo: $SENDKIT_API_KEY then \\$(id)" http://h/'  # the key, wherever it is


def test_the_key_never_reaches_the_summary_or_the_junit_file(tmp_path: Path) -> None:
    from sendkit_mock.contract import junit_xml, summary

    erred = operation(s200=1)
    erred.errors.append("InvalidHeader: 'X-Api-Key'='sk_<&\"secret'")
    result = RunResult({erred.label: erred}, [])
    options = CheckOptions(base_url="http://127.0.0.1:4010", api_key='sk_<&"secret')
    assert 'sk_<&"secret' not in summary(result, options) and "$SENDKIT_API_KEY" in summary(result, options)
    junit_xml(result, options, tmp_path / "j.xml")
    text = (tmp_path / "j.xml").read_text()
    assert "secret" not in text and "$SENDKIT_API_KEY" in text


def test_an_operation_whose_requests_got_no_answer_says_so() -> None:
    silent = operation()
    silent.unanswered = 3
    assert silent.why_not_checked(None) == "0 answers: 3 requests got none (a timeout or a closed connection)"


def test_the_readme_and_the_help_show_the_same_verdicts_and_exit_statuses() -> None:
    from pathlib import Path

    from sendkit_mock.contract.command import EPILOG

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for word, status, meaning in MEANINGS:
        shown = f"`{word}`" if word != "(usage)" else word
        assert f"| {shown} | {status} | {meaning} |" in readme, word
        assert f"  {word:<12} {status}  {meaning}" in EPILOG, word
