"""The pytest plugin as its users meet it: test files run by pytest's own `pytester`, the fixture found through
the `pytest11` entry point (the subprocess runs prove that a plain install is all it takes)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

README = (Path(__file__).parents[2] / "README.md").read_text()
SEED = '''
SEED = {"reportType": "campaign", "campaignIds": ["664f0a1b2c3d4e5f6a7b8c01", "664f0a1b2c3d4e5f6a7b8c02"],
        "periodStart": "2026-01-01", "periodEnd": "2026-04-17"}
'''


def run(pytester: pytest.Pytester, source: str, *args: str, subprocess: bool = False) -> pytest.RunResult:
    """The user's run. In-process, without Schemathesis' own pytest plugin: loaded and dropped again inside
    this process, it left Schemathesis' global state so that a later `contract` run here stopped filtering
    operations (seen under xdist, where a worker ran a plugin test before the contract command's tests)."""
    pytester.makepyfile(test_it=textwrap.dedent(source))
    flags = ("-p", "no:cacheprovider", "-p", "no:schemathesis", "-W", "error", *args)
    return pytester.runpytest_subprocess(*flags) if subprocess else pytester.runpytest(*flags)


def test_the_readme_example_passes_from_a_plain_install(pytester: pytest.Pytester) -> None:
    section = README[README.index("## In your own tests: the pytest plugin"):]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example is not None
    assert len(example.group(1).strip().splitlines()) <= 16  # the 15 lines, and the import
    result = run(pytester, example.group(1), subprocess=True)
    result.assert_outcomes(passed=1)


def test_each_test_starts_from_a_fresh_world(pytester: pytest.Pytester) -> None:
    result = run(pytester, SEED + '''
import requests

def create(mock):
    answer = requests.post(f"{mock.url}/v1/reports", json=SEED, headers={"X-Api-Key": mock.keys.workspace})
    return [r["id"] for r in answer.json()["data"]["reports"]]

def test_first(sendkit_mock):
    assert len(create(sendkit_mock)) == 2
    assert len(sendkit_mock.requests()) == 1

def test_second_sees_nothing_of_the_first_and_gets_the_same_ids(sendkit_mock):
    assert sendkit_mock.requests() == []
    listed = requests.get(f"{sendkit_mock.url}/v1/reports", headers={"X-Api-Key": sendkit_mock.keys.workspace})
    assert listed.json()["data"] == []
    assert create(sendkit_mock) == ["5fd99d2f5f9abfeb15dcfcb8", "e5da01e21d7cf992b379a94d"]
''')
    result.assert_outcomes(passed=2)


def test_the_clock_stands_until_moved_and_forced_states_announce(pytester: pytest.Pytester) -> None:
    result = run(pytester, SEED + '''
import requests

def test_lifecycle(sendkit_mock):
    key = {"X-Api-Key": sendkit_mock.keys.workspace}
    requests.post(f"{sendkit_mock.url}/v1/webhooks", headers=key, json={
        "name": "ci", "url": sendkit_mock.webhook_url, "events": ["report.ready", "report.failed"]})
    recipients = list(sendkit_mock.keys["Brightwave Growth"].recipient_ids)
    first, second = requests.post(f"{sendkit_mock.url}/v1/reports", json={**SEED, "recipientIds": recipients},
                                  headers=key).json()["data"]["reports"]
    assert sendkit_mock.clock.mode == "manual"
    before = sendkit_mock.clock.now
    get = lambda rid: requests.get(f"{sendkit_mock.url}/v1/reports/{rid}", headers=key).json()["data"]
    assert get(first["id"])["status"] == "queued" and sendkit_mock.clock.now == before
    assert sendkit_mock.clock.advance(1.5) > before
    assert get(first["id"])["status"] == "processing"
    forced = sendkit_mock.force_status(second["id"], "failed", error="Mailbox quota exceeded")
    assert forced["status"] == "failed" and forced["error"]["message"] == "Mailbox quota exceeded"
    assert [b["event"] for b in sendkit_mock.webhooks_received] == ["report.failed"]
    assert sendkit_mock.webhook_deliveries[0]["statusCode"] == 200
    sendkit_mock.clock.set(before.replace(year=before.year + 1))
    assert get(first["id"])["status"] == "ready"
    assert sorted(b["event"] for b in sendkit_mock.webhooks_received) == ["report.failed", "report.ready"]
    mailed = sendkit_mock.outbox  # the ready report was e-mailed to its recipients (a failed one is not)
    assert {(m["reportId"], m["recipientId"]) for m in mailed} == {(first["id"], r) for r in recipients}
''')
    result.assert_outcomes(passed=1)


def test_assert_requested_shows_the_near_misses(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
import requests

def test_wrong_body(sendkit_mock):
    requests.post(f"{sendkit_mock.url}/v1/reports", json={"reportType": "campaign"},
                  headers={"X-Api-Key": sendkit_mock.keys.workspace})
    sendkit_mock.assert_requested("POST", "/v1/reports", count=1)  # it was sent, and refused
    sendkit_mock.assert_requested("GET", "/v1/reports/{id}")
''')
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*NotRequested: expected GET /v1/reports/{id} to be requested at least once, found 0*",
        "*closest requests in the journal:*",
        "*POST /v1/reports -> 400 *(did not match: method, pathPattern)*",
    ])
    assert "def assert_requested" not in result.stdout.str()  # the helper hides its own frames


def test_a_marker_changes_the_settings_of_one_test(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("tiny.yaml").write_text(Path(__file__).parents[2].joinpath(
        "fixtures", "world.yaml").read_text().replace("Brightwave Growth", "Tiny Growth"))
    result = run(pytester, SEED + '''
import pytest, requests

def ids(mock):
    answer = requests.post(f"{mock.url}/v1/reports", json=SEED, headers={"X-Api-Key": mock.keys.workspace})
    return [r["id"] for r in answer.json()["data"]["reports"]]

def test_default(sendkit_mock):
    assert ids(sendkit_mock)[0] == "5fd99d2f5f9abfeb15dcfcb8"

@pytest.mark.sendkit_mock(seed=7, fixtures="tiny.yaml", queued_seconds=0, processing_seconds=0, clock="real")
def test_marked(sendkit_mock):
    assert ids(sendkit_mock)[0] != "5fd99d2f5f9abfeb15dcfcb8"
    assert "Tiny Growth" in sendkit_mock.keys.workspaces and sendkit_mock.clock.mode == "real"
    assert sendkit_mock.mock.settings.seed == 7

@pytest.mark.sendkit_mock(colour="blue")
def test_unknown_setting(sendkit_mock):
    pass
''')
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*no setting 'colour'; the settings are *seed*"])


def test_a_conftest_sets_the_suite_and_the_in_process_app_needs_no_socket(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('''
import pytest

@pytest.fixture
def sendkit_mock_settings():
    return {"seed": 7}
''')
    result = run(pytester, SEED + '''
def test_app(sendkit_mock_app):
    client, key = sendkit_mock_app.client, {"X-Api-Key": sendkit_mock_app.keys.workspace}
    report = client.post("/v1/reports", json=SEED, headers=key).json()["data"]["reports"][0]
    assert sendkit_mock_app.mock.settings.seed == 7
    sendkit_mock_app.clock.advance(10)
    assert client.get(f"/v1/reports/{report['id']}", headers=key).json()["data"]["status"] == "ready"
    sendkit_mock_app.assert_requested("GET", "/v1/reports/{id}", count=1)

def test_sessions_side_by_side(sendkit_mock):
    import requests
    other = sendkit_mock.other_session("second")
    key = {"X-Api-Key": sendkit_mock.keys.workspace}
    requests.post(f"{sendkit_mock.url}/v1/reports", json=SEED, headers={**key, **other.headers})
    assert len(other.requests()) == 1 and sendkit_mock.requests() == []
''')
    result.assert_outcomes(passed=2)


def test_the_mocks_own_failure_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    result = run(pytester, SEED + '''
import requests

def test_a_handler_raises(sendkit_mock, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the mock broke here")
    monkeypatch.setattr(sendkit_mock.mock.service, "create", broken)
    answer = requests.post(f"{sendkit_mock.url}/v1/reports", json=SEED, headers={"X-Api-Key": sendkit_mock.keys.workspace})
    assert answer.status_code == 500  # the client copes; the test must still fail

def test_an_answer_breaks_the_contract(sendkit_mock, monkeypatch):
    real = sendkit_mock.mock.service.render_summary
    monkeypatch.setattr(sendkit_mock.mock.service, "render_summary", lambda report: {**real(report), "status": "done"})
    requests.post(f"{sendkit_mock.url}/v1/reports", json=SEED, headers={"X-Api-Key": sendkit_mock.keys.workspace})

def test_the_next_test_is_not_blamed(sendkit_mock):
    assert sendkit_mock.requests() == []
''')
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*MockFailed: sendkit-mock: POST /v1/reports (session default): RuntimeError: the mock broke here*",
        "*Traceback (most recent call last)*",
    ])
    result.stdout.fnmatch_lines(["*MockFailed: sendkit-mock: POST /v1/reports (session default): "
                                 "the mock's answer broke openapi.yaml*done*"])


def test_xdist_workers_each_get_their_own_mock(pytester: pytest.Pytester) -> None:
    cases = "\n".join(f'''
def test_{n}(sendkit_mock):
    key = {{"X-Api-Key": sendkit_mock.keys.workspace}}
    requests.post(f"{{sendkit_mock.url}}/v1/reports", json=SEED, headers=key).raise_for_status()
    listed = requests.get(f"{{sendkit_mock.url}}/v1/reports", headers=key).json()["data"]
    assert [r["id"] for r in listed] == ["e5da01e21d7cf992b379a94d", "5fd99d2f5f9abfeb15dcfcb8"]
    with PORTS.open("a") as ports:  # appended at once: a read-then-write lost the other worker's line
        ports.write(sendkit_mock.url + "\\n")
''' for n in range(4))
    ports = pytester.path / "ports.txt"
    ports.write_text("")
    result = run(pytester, SEED + f"import pathlib, requests\nPORTS = pathlib.Path({str(ports)!r})\n" + cases,
                 "-n", "2", subprocess=True)
    result.assert_outcomes(passed=4)
    assert len(set(ports.read_text().split())) == 2  # one server per worker


def test_tls_gives_the_same_mock_over_https_and_the_ca_to_trust(pytester: pytest.Pytester, tmp_path: Path) -> None:
    result = run(pytester, SEED + f'''
import pytest, requests

@pytest.mark.sendkit_mock(tls=True, data_dir={str(tmp_path)!r})
def test_https(sendkit_mock):
    assert sendkit_mock.tls_url.startswith("https://127.0.0.1:") and sendkit_mock.url.startswith("http://")
    assert sendkit_mock.ca_file.is_relative_to({str(tmp_path)!r})
    made = requests.post(f"{{sendkit_mock.tls_url}}/v1/reports", json=SEED, verify=str(sendkit_mock.ca_file),
                         headers={{"X-Api-Key": sendkit_mock.keys.workspace}})
    assert made.status_code == 201
    seen = [e["path"] for e in sendkit_mock.requests()]
    assert seen == ["/v1/reports"]  # one mock behind both
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{{sendkit_mock.tls_url}}/v1/reports")  # the certificate is checked: not in certifi's CAs

def test_plain(sendkit_mock):
    assert sendkit_mock.tls_url is None and sendkit_mock.ca_file is None
''')
    result.assert_outcomes(passed=2)


def test_a_generated_answer_leaves_the_users_random_numbers_alone(pytester: pytest.Pytester) -> None:
    """The plugin serves from a thread of the user's own run: a `Prefer: dynamic=true` answer (jsf) must not
    reseed or draw from the `random` module the user's tests seeded."""
    result = run(pytester, '''
import random, requests

def test_the_sequence_is_the_one_without_the_plugin(sendkit_mock):
    random.seed(20261204)
    without = [random.random() for _ in range(4)]
    random.seed(20261204)
    seen = [random.random(), random.random()]
    for path in ("/v1/reports/recipients", "/v1/webhooks", "/v1/reports"):
        answer = requests.get(f"{sendkit_mock.url}{path}", headers={
            "X-Api-Key": sendkit_mock.keys.workspace, "Prefer": "dynamic=true"})
        assert answer.headers["Preference-Applied"] == "dynamic=true", answer.text
    seen += [random.random(), random.random()]
    assert seen == without
''', subprocess=True)
    result.assert_outcomes(passed=1)


def test_no_violations_is_asserted_only_over_requests_that_were_seen(pytester: pytest.Pytester) -> None:
    result = run(pytester, SEED + '''
import pytest, requests
from sendkit_mock.testing import ContractBroken

def test_an_empty_journal_checked_nothing(sendkit_mock):
    with pytest.raises(ContractBroken, match="no request in the journal of session default: nothing was checked"):
        sendkit_mock.assert_no_violations()

def test_conforming_requests_are_counted(sendkit_mock):
    key = {"X-Api-Key": sendkit_mock.keys.workspace}
    assert requests.post(f"{sendkit_mock.url}/v1/reports", json=SEED, headers=key).status_code == 201
    assert requests.get(f"{sendkit_mock.url}/v1/reports", headers=key).status_code == 200
    assert sendkit_mock.assert_no_violations() == 2

def test_a_violation_is_named(sendkit_mock):
    key = {"X-Api-Key": sendkit_mock.keys.workspace}
    requests.post(f"{sendkit_mock.url}/v1/reports", json={**SEED, "reportType": "daily"}, headers=key)
    with pytest.raises(ContractBroken, match=r"(?s)1 of 1 requests broke the contract.*POST /v1/reports -> 400: "
                                             r"reportType: Must be one of"):
        sendkit_mock.assert_no_violations()
''')
    result.assert_outcomes(passed=3)


def test_a_project_that_turns_every_warning_into_an_error_passes(pytester: pytest.Pytester) -> None:
    """`pytest -W error` in a fresh project, the plugin and Schemathesis' own loaded as a user gets them, and
    nothing filtered by the user: every layer of a request, an error answer and a served mock included."""
    pytester.makepyfile(test_it=textwrap.dedent(SEED + '''
import requests

def test_served(sendkit_mock):
    key = {"X-Api-Key": sendkit_mock.keys.workspace}
    assert requests.post(f"{sendkit_mock.url}/v1/reports", json=SEED, headers=key).status_code == 201
    assert requests.post(f"{sendkit_mock.url}/v1/reports", json={}, headers=key).status_code == 400
    assert requests.get(f"{sendkit_mock.url}/v1/reports").status_code == 401

def test_in_process(sendkit_mock_app):
    assert sendkit_mock_app.client.get("/v1/reports", headers={"X-Api-Key": sendkit_mock_app.keys.workspace}).status_code == 200
'''))
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_settings_take_snake_case_names_everywhere(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
import pytest, requests

def test_handle(sendkit_mock):
    changed = sendkit_mock.settings(error_rate=1.0, queued_seconds=0)
    assert changed["error_rate"] == 1.0 and changed["queued_seconds"] == 0  # and read back the same way
    answer = requests.get(f"{sendkit_mock.url}/v1/reports", headers={"X-Api-Key": sendkit_mock.keys.workspace})
    assert answer.status_code in (500, 503)
    with pytest.raises(TypeError, match="error_rate=0.5, not errorRate"):
        sendkit_mock.settings(errorRate=0.5)

@pytest.mark.sendkit_mock(queued_seconds=0)
def test_marker(sendkit_mock):
    assert sendkit_mock.settings()["queued_seconds"] == 0

@pytest.mark.sendkit_mock(queuedSeconds=0)
def test_camel_marker(sendkit_mock):
    pass
''')
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*queued_seconds=0, not queuedSeconds*"])


def test_the_receiver_shows_each_call_whole_and_fails_when_told(pytester: pytest.Pytester) -> None:
    """The README's signature check, on the raw body the receiver kept; a 503 the receiver was told to answer,
    and the mock's retry after its backoff, with the same signed body."""
    result = run(pytester, SEED + '''
import hashlib, hmac, requests

def test_signed_and_retried(sendkit_mock):
    key = {"X-Api-Key": sendkit_mock.keys.workspace}
    hook = requests.post(f"{sendkit_mock.url}/v1/webhooks", headers=key, json={
        "name": "ci", "url": sendkit_mock.webhook_url, "events": ["report.failed"]}).json()["data"]
    sendkit_mock.webhook_responds(503, times=1)
    report = requests.post(f"{sendkit_mock.url}/v1/reports", json=SEED, headers=key).json()["data"]["reports"][0]
    sendkit_mock.force_status(report["id"], "failed")
    (first,) = sendkit_mock.webhook_calls
    assert first.method == "POST" and first.path == "/hooks" and first.json()["event"] == "report.failed"
    expected = hmac.new(hook["secret"].encode(), first.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, first.header("x-webhook-signature"))
    assert [d["statusCode"] for d in sendkit_mock.webhook_deliveries] == [503]
    sendkit_mock.clock.advance(60)  # past the retry's backoff
    calls = sendkit_mock.webhook_calls
    assert len(calls) == 2 and calls[1].body == first.body
    assert sorted(d["statusCode"] for d in sendkit_mock.webhook_deliveries) == [200, 503]
''')
    result.assert_outcomes(passed=1)


def test_the_readme_stub_example_passes(pytester: pytest.Pytester) -> None:
    section = README[README.index("### Stubs: one route's next answers"):]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example is not None
    run(pytester, example.group(1)).assert_outcomes(passed=1)


def test_stub_from_the_handle_with_every_part(pytester: pytest.Pytester) -> None:
    result = run(pytester, SEED + '''
import pytest, requests
from sendkit_mock.testing import MockRequestError

def test_stubs(sendkit_mock):
    key = {"X-Api-Key": sendkit_mock.keys.workspace}
    made = sendkit_mock.stub("POST", "/v1/reports", 429, headers={"Retry-After": "7"},
                             body_contains={"reportType": "campaign"})
    assert made["id"] == "stub-1" and made["remaining"] == 1
    limited = requests.post(f"{sendkit_mock.url}/v1/reports", json=SEED, headers=key)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert requests.post(f"{sendkit_mock.url}/v1/reports", json=SEED, headers=key).status_code == 201
    sendkit_mock.stub("GET", "/v1/reports", 200, body={"no": "pages"}, violation=True, times=None)
    assert requests.get(f"{sendkit_mock.url}/v1/reports", headers=key).json() == {"no": "pages"}
    assert [s["fired"] for s in sendkit_mock.stubs()] == [1, 1]
    assert sendkit_mock.remove_stub("stub-2")["id"] == "stub-2" and sendkit_mock.clear_stubs() == 1
    with pytest.raises(MockRequestError, match="status"):
        sendkit_mock.stub("GET", "/v1/reports", 418)
    injected = [r["injected"] for r in sendkit_mock.requests()]
    assert injected.count("stub:stub-1") == 1 and injected.count("stub:stub-2") == 1

def test_a_new_test_starts_without_stubs(sendkit_mock):
    assert sendkit_mock.stubs() == []
''')
    result.assert_outcomes(passed=2)
