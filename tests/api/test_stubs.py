"""Stubs: a test puts answers on an operation's next requests (POST /__mock/stubs), on both stores."""

from __future__ import annotations

from typing import Any

import pytest

from sendkit_mock import ManualClock, Mock, Settings, create_mock

from ..conftest import SEED_BODY, START, ws


def stub(client: Any, **spec: Any) -> Any:
    return client.post("/__mock/stubs", json=spec)


def report_id(client: Any) -> str:
    found: str = client.post("/v1/reports", json=SEED_BODY, headers=ws()).json()["data"]["reports"][0]["id"]
    return found


def test_a_stub_answers_its_next_requests_then_the_mock_again(client: Any) -> None:
    rid = report_id(client)
    put = stub(client, method="GET", path="/v1/reports/{id}", status=503, times=2)
    assert put.status_code == 201 and put.json()["data"]["remaining"] == 2
    answers = [client.get(f"/v1/reports/{rid}", headers=ws()) for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 200]
    assert answers[0].json()["code"] == 503 and answers[0].headers["retry-after"] == "1"
    listed = client.get("/__mock/stubs").json()["data"]
    assert [(s["id"], s["fired"], s["remaining"]) for s in listed] == [("stub-1", 2, 0)]
    journal = client.get("/__mock/requests", params={"path": f"/v1/reports/{rid}"}).json()["data"]
    assert [e["injected"] for e in journal] == [None, "stub:stub-1", "stub:stub-1"]


def test_one_path_a_query_or_a_body_narrows_what_a_stub_takes(client: Any) -> None:
    first, second = (r["id"] for r in client.post("/v1/reports", json=SEED_BODY, headers=ws()).json()["data"]["reports"])
    stub(client, method="GET", path=f"/v1/reports/{second}", status=404, times=None)
    assert client.get(f"/v1/reports/{first}", headers=ws()).status_code == 200
    assert [client.get(f"/v1/reports/{second}", headers=ws()).status_code for _ in range(3)] == [404] * 3
    stub(client, method="GET", path="/v1/reports", status=429, query={"status": "failed"})
    assert client.get("/v1/reports?status=ready", headers=ws()).status_code == 200
    assert client.get("/v1/reports?status=failed", headers=ws()).status_code == 429
    assert stub(client, method="POST", path="/v1/reports", status=429, bodyContains={"reportType": "workspace"}).status_code == 201
    assert client.post("/v1/reports", json=SEED_BODY, headers=ws()).status_code == 201
    assert client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).status_code == 429


def test_a_stub_fires_after_the_key_check_and_validation(client: Any) -> None:
    stub(client, method="POST", path="/v1/reports", status=503)
    assert client.post("/v1/reports", json=SEED_BODY).status_code == 401  # no key: SendKit never took it
    assert client.post("/v1/reports", json={"reportType": "nope"}, headers=ws()).status_code == 400
    assert client.post("/v1/reports", json=SEED_BODY, headers=ws()).status_code == 503  # still there: it fires now


def test_a_body_of_its_own_is_held_to_the_contract_unless_a_deliberate_violation(client: Any) -> None:
    refused = stub(client, method="GET", path="/v1/reports", status=200, body={"success": True, "data": "no"})
    assert refused.status_code == 400 and refused.json()["details"][0]["field"] == "body"
    page = {"success": True, "data": [], "pagination": {"limit": 25, "total": 0, "hasMore": False, "nextCursor": None}}
    kept = stub(client, method="GET", path="/v1/reports", status=200, body=page, headers={"X-Trace": "t-1"})
    assert kept.status_code == 201, kept.json()
    answer = client.get("/v1/reports", headers=ws())
    assert answer.json() == page and answer.headers["x-trace"] == "t-1"
    stub(client, method="GET", path="/v1/reports", status=200, body={"data": None}, violation=True)
    broken = client.get("/v1/reports", headers=ws())
    assert broken.status_code == 200 and broken.json() == {"data": None}  # what the client's parser must survive


def test_a_stub_can_slow_or_break_the_mocks_own_answer(client: Any, mock: Mock) -> None:
    rid = report_id(client)
    stub(client, method="GET", path="/v1/reports/{id}", delayMs=30)
    slowed = client.get(f"/v1/reports/{rid}", headers=ws())
    assert slowed.status_code == 200 and slowed.json()["data"]["id"] == rid  # the mock's own answer, late
    assert stub(client, method="GET", path="/v1/reports/{id}").status_code == 400  # a stub answers something


@pytest.mark.parametrize(("spec", "field"), [
    ({"method": "GET", "path": "/v1/nothing", "status": 503}, "path"),
    ({"method": "GET", "path": "/v1/reports", "status": 418}, "status"),
    ({"method": "GET", "path": "/v1/reports", "status": 503, "times": 0}, "times"),
    ({"method": "GET", "path": "/v1/reports", "status": 200, "example": "no-such"}, "example"),
    ({"method": "GET", "path": "/v1/reports", "status": 503, "headers": {"Content-Length": "1"}}, "headers.Content-Length"),
    ({"method": "GET", "path": "/v1/reports", "status": 503, "headers": {"X-A": "line\nbreak"}}, "headers.X-A"),
    ({"method": "GET", "path": "/v1/reports", "status": 503, "fault": "explode"}, "fault"),
])
def test_a_stub_that_cannot_be_is_a_400_naming_its_field(client: Any, spec: dict[str, Any], field: str) -> None:
    answer = client.post("/__mock/stubs", json=spec)
    assert answer.status_code == 400 and answer.json()["details"][0]["field"] == field, answer.json()


def test_stubs_are_capped_removed_one_by_one_and_cleared_by_a_reset(client: Any) -> None:
    for _ in range(100):
        assert stub(client, method="GET", path="/v1/reports", status=503).status_code == 201
    assert stub(client, method="GET", path="/v1/reports", status=503).status_code == 409
    assert client.delete("/__mock/stubs/stub-7").json()["data"]["id"] == "stub-7"
    assert client.delete("/__mock/stubs/stub-7").status_code == 404
    assert len(client.get("/__mock/stubs").json()["data"]) == 99
    assert client.post("/__mock/reset").status_code == 200
    assert client.get("/__mock/stubs").json()["data"] == []
    assert client.get("/v1/reports", headers=ws()).status_code == 200


def test_a_stub_is_its_sessions_alone(client: Any) -> None:
    stub(client, method="GET", path="/v1/reports", status=503, times=None)
    assert client.get("/v1/reports", headers=ws(**{"X-Mock-Session": "other"})).status_code == 200
    assert client.get("/v1/reports", headers=ws()).status_code == 503
    assert client.delete("/__mock/stubs").json()["data"]["removed"] == 1


def test_a_stub_is_bounded_in_size_and_nesting(client: Any) -> None:
    big = stub(client, method="POST", path="/v1/reports", status=503, bodyContains={"x": "y" * 17_000})
    assert big.status_code == 400 and big.json()["details"][0]["field"] == "body"
    deep: Any = "leaf"
    for _ in range(40):
        deep = {"d": deep}
    nested = stub(client, method="POST", path="/v1/reports", status=503, bodyContains=deep)
    assert nested.status_code == 400 and nested.json()["details"][0]["field"] == "bodyContains"


def test_the_embedded_store_caps_stubs_across_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    from sendkit_mock.stores import memory

    monkeypatch.setattr(memory, "TOTAL_STUBS", 3)  # 2,000 by default: 32 MiB at most
    mock = create_mock(Settings(seed=42), clock=ManualClock(START))
    with mock.app.test_client() as client:
        made = [stub(client, method="GET", path="/v1/reports", status=503).status_code for _ in range(2)]
        other = client.post("/__mock/stubs", headers={"X-Mock-Session": "b"},
                            json={"method": "GET", "path": "/v1/reports", "status": 503})
        over = client.post("/__mock/stubs", headers={"X-Mock-Session": "c"},
                           json={"method": "GET", "path": "/v1/reports", "status": 503})
        assert made + [other.status_code, over.status_code] == [201, 201, 201, 503]
        assert over.headers["retry-after"] and "stubs across sessions" in over.json()["message"]
        client.delete("/__mock/stubs")  # the default session's two given back
        assert client.post("/__mock/stubs", headers={"X-Mock-Session": "c"},
                           json={"method": "GET", "path": "/v1/reports", "status": 503}).status_code == 201


@pytest.mark.parametrize(("spec", "field"), [
    ({"method": "GET", "path": "/v1/reports/{reportId}", "status": 503}, "path"),  # not the template's name
    ({"method": "GET", "path": "/v1/reports/not-an-id", "status": 503}, "path"),  # validation would refuse it
    ({"method": "GET", "path": "/v1/reports", "status": 503, "bodyContains": {"a": 1}}, "bodyContains"),
    ({"method": "GET", "path": "/v1/reports", "status": 503, "violation": True}, "violation"),
])
def test_a_stub_that_could_never_fire_is_refused(client: Any, spec: dict[str, Any], field: str) -> None:
    answer = client.post("/__mock/stubs", json=spec)
    assert answer.status_code == 400 and answer.json()["details"][0]["field"] == field, answer.json()


def test_a_stub_id_that_is_none_is_one_400_naming_it(client: Any) -> None:
    answer = client.delete("/__mock/stubs/x")
    assert answer.status_code == 400 and [d["field"] for d in answer.json()["details"]] == ["id"]
