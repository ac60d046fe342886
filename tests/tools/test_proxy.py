"""`sendkit-mock proxy`: in front of the mock (answers pass unchanged, bad requests are named) and in front of
a drifted copy (each broken answer journaled, and with `errors` replaced by a 502 naming the violation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import yaml

from sendkit_mock import Settings, create_mock
from sendkit_mock.delivery.senders import RecordingSender
from sendkit_mock.proxy import ContractCheck, ValidatingProxy
from sendkit_mock.resources import spec_path
from sendkit_mock.testing import ThreadedServer

from ..conftest import SEED_BODY, WS_KEY
from .drifted import Drifted

KEY = {"X-Api-Key": WS_KEY}
CHECK = ContractCheck(yaml.safe_load(spec_path().read_text()))


def served(app: Any) -> Iterator[str]:
    with ThreadedServer(app) as server:
        yield server.url


@pytest.fixture
def upstream() -> Iterator[str]:
    yield from served(create_mock(Settings(clock_mode="manual"), sender=RecordingSender()).app)


@pytest.fixture
def drifted() -> Iterator[str]:
    yield from served(Drifted(create_mock(Settings(clock_mode="manual"), sender=RecordingSender()).app))


def proxy_of(url: str, **options: Any) -> Iterator[str]:
    yield from served(ValidatingProxy(url, CHECK, **options))


def journal(proxy: str) -> list[dict[str, Any]]:
    page = requests.get(f"{proxy}/__mock/requests?limit=100")
    assert page.status_code == 200
    return list(page.json()["data"])


def test_answers_pass_unchanged_and_conforming_traffic_has_no_violations(upstream: str) -> None:
    for proxy in proxy_of(upstream):
        through = requests.post(f"{proxy}/v1/reports", json=SEED_BODY, headers=KEY)
        assert through.status_code == 201
        assert [r["id"] for r in through.json()["data"]["reports"]] == ["5fd99d2f5f9abfeb15dcfcb8",
                                                                       "e5da01e21d7cf992b379a94d"]
        direct = requests.get(f"{upstream}/v1/reports/5fd99d2f5f9abfeb15dcfcb8", headers=KEY)
        proxied = requests.get(f"{proxy}/v1/reports/5fd99d2f5f9abfeb15dcfcb8", headers=KEY)
        assert proxied.content == direct.content and proxied.headers["content-type"] == direct.headers["content-type"]
        entries = journal(proxy)
        assert [(e["method"], e["path"], e["status"]) for e in entries] == [
            ("GET", "/v1/reports/5fd99d2f5f9abfeb15dcfcb8", 200), ("POST", "/v1/reports", 201)]
        assert all(e["violations"] == [] and e["responseViolations"] == [] for e in entries)
        assert entries[1]["headers"]["x-api-key"] == "…9c68"  # keys masked, as in the mock's journal


def test_a_bad_request_is_forwarded_and_named(upstream: str) -> None:
    for proxy in proxy_of(upstream):
        answer = requests.post(f"{proxy}/v1/reports?colour=blue", json={"reportType": "campaign"}, headers=KEY)
        assert answer.status_code == 400  # the upstream's own answer, which the contract documents
        entry = journal(proxy)[0]
        fields = {v["field"] for v in entry["violations"]}
        assert {"colour", "campaignIds"} <= fields, entry["violations"]
        assert entry["responseViolations"] == []
        count = requests.post(f"{proxy}/__mock/requests/count", json={"method": "POST", "path": "/v1/reports"})
        assert count.json()["data"]["count"] == 1
        for bad in ("cursor=nope", "limit=many", "status=teapot"):
            refused = requests.get(f"{proxy}/__mock/requests?{bad}")
            assert refused.status_code in (400, 404) and refused.json()["code"] == refused.status_code, bad
        for body in ([1], {"query": "x"}, {"colour": 1}):
            refused = requests.post(f"{proxy}/__mock/requests/count", json=body)
            assert refused.status_code == 400 and refused.json()["details"], body
        assert requests.delete(f"{proxy}/__mock/requests").status_code == 200 and journal(proxy) == []


def test_drifted_answers_are_journaled_and_passed_through(drifted: str) -> None:
    for proxy in proxy_of(drifted):
        created = requests.post(f"{proxy}/v1/reports", json=SEED_BODY, headers=KEY).json()["data"]["reports"]
        report = requests.get(f"{proxy}/v1/reports/{created[0]['id']}", headers=KEY)
        assert report.status_code == 200 and "state" in report.json()["data"]  # as the upstream sent it
        webhooks = requests.get(f"{proxy}/v1/webhooks", headers=KEY)
        assert webhooks.status_code == 500
        recipient = requests.post(f"{proxy}/v1/reports/recipients", headers=KEY, json={
            "name": "Ana", "email": "ana@example.com"})
        assert recipient.status_code == 202, recipient.text
        by_path = {e["path"]: e["responseViolations"] for e in journal(proxy)}
        assert {"field": "data.status", "message": "Is required"} in by_path[
            f"/v1/reports/{created[0]['id']}"]
        assert {"field": "data.state", "message": "Is not an allowed property"} in by_path[
            f"/v1/reports/{created[0]['id']}"]
        assert by_path["/v1/reports/recipients"][0]["field"] == "status"
        assert "202 is not a documented status of POST /v1/reports/recipients" in by_path[
            "/v1/reports/recipients"][0]["message"]
        assert by_path["/v1/reports"] == []


def test_with_errors_a_violating_answer_becomes_a_502_naming_it(drifted: str) -> None:
    for proxy in proxy_of(drifted, errors=True):
        created = requests.post(f"{proxy}/v1/reports", json=SEED_BODY, headers=KEY)
        assert created.status_code == 201  # a conforming answer is untouched
        answer = requests.get(f"{proxy}/v1/reports/{created.json()['data']['reports'][0]['id']}", headers=KEY)
        assert answer.status_code == 502
        error = answer.json()
        assert error["error"] == "Bad Gateway" and error["code"] == 502
        assert "broke the contract" in error["message"]
        assert {"field": "data.status", "message": "Is required"} in error["details"]


def test_an_upstream_that_does_not_answer_is_a_502() -> None:
    for proxy in proxy_of("http://127.0.0.1:9", timeout=2):
        answer = requests.get(f"{proxy}/v1/reports", headers=KEY)
        assert answer.status_code == 502 and "did not answer" in answer.json()["message"]
        assert journal(proxy)[0]["status"] == 502


def test_a_compressed_answer_arrives_whole_and_is_checked() -> None:
    import gzip
    import json

    body = gzip.compress(json.dumps({"success": True, "data": [], "pagination": {
        "limit": 25, "total": 0, "hasMore": False, "nextCursor": None}}).encode())

    async def gzipping(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/json"), (b"content-encoding", b"gzip"),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    for upstream in served(gzipping):
        for proxy in proxy_of(upstream):
            answer = requests.get(f"{proxy}/v1/reports", headers=KEY)
            assert answer.status_code == 200 and answer.json()["data"] == []
            assert "content-encoding" not in answer.headers
            assert journal(proxy)[0]["responseViolations"] == []


def test_the_verdict_at_shutdown_says_how_many_exchanges_it_was_drawn_from(upstream: str) -> None:
    proxy = ValidatingProxy(upstream, CHECK)
    with ThreadedServer(proxy) as server:
        assert proxy.verdict() == "sendkit-mock proxy: no exchange seen: nothing was checked"
        assert requests.get(f"{server.url}/v1/reports", headers=KEY).status_code == 200
        assert requests.get(f"{server.url}/__mock/requests").status_code == 200  # its own journal: no exchange
        assert proxy.verdict() == "sendkit-mock proxy: 1 exchanges checked: none broke the contract"
        assert requests.post(f"{server.url}/v1/reports", json={"reportType": "daily"}, headers=KEY).status_code == 400
        assert proxy.verdict() == ("sendkit-mock proxy: 2 exchanges checked: 1 requests and 0 answers broke the "
                                   "contract (GET /__mock/requests lists them)")
