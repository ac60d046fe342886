"""GET /__mock/coverage: what of SendKit's contract a client's requests met, from the contract and the journal."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from sendkit_mock import Mock
from sendkit_mock.resources import spec_path
from sendkit_mock.session.coverage import coverage
from sendkit_mock.spec import Document, OperationIndex

from ..conftest import SEED_BODY, ws


def rows(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["operationId"]: row for row in found["byOperation"]}


def test_nothing_journaled_is_not_checked_rather_than_zero(client: Any) -> None:
    found = client.get("/__mock/coverage").json()["data"]
    assert found["checked"] is False and found["requests"] == 0
    assert found["operations"]["percent"] is None and found["answers"]["percent"] is None
    assert found["operations"]["total"] == len(found["byOperation"]) > 0


def test_a_known_subset_is_reported_as_exactly_that(client: Any) -> None:
    created = client.post("/v1/reports", json=SEED_BODY, headers=ws()).json()["data"]["reports"][0]["id"]
    assert client.get("/v1/reports/" + "0" * 24, headers=ws()).status_code == 404
    assert client.get("/v1/reports").status_code == 401
    assert client.post("/v1/reports", json={"reportType": "campaign"}, headers=ws()).status_code == 400
    found = client.get("/__mock/coverage").json()["data"]
    met = {name: [a["status"] for a in row["answers"] if a["received"]] for name, row in rows(found).items()
           if row["calls"]}
    assert met == {"createReport": [201, 400], "getReport": [404], "listReports": [401]}
    assert found["operations"]["met"] == 3 and found["answers"]["met"] == 4 and found["checked"] is True
    assert rows(found)["createReport"]["violations"] == [{"field": "campaignIds", "count": 1}]
    assert 200 in rows(found)["getReport"]["missed"] and rows(found)["deleteReport"]["calls"] == 0
    assert found["lifecycle"]["seen"]["queued"] == 2 and "ready" in found["lifecycle"]["missed"]
    assert created


def test_injected_answers_count_and_say_so(client: Any) -> None:
    client.post("/__mock/stubs", json={"method": "GET", "path": "/v1/reports", "status": 429})
    assert client.get("/v1/reports", headers=ws()).status_code == 429
    answer = next(a for a in rows(client.get("/__mock/coverage").json()["data"])["listReports"]["answers"]
                  if a["status"] == 429)
    assert answer == {"status": 429, "received": 1, "injected": 1}


def test_polling_to_the_end_and_following_a_cursor_are_seen(client: Any, mock: Mock) -> None:
    report = client.post("/v1/reports", json=SEED_BODY, headers=ws()).json()["data"]["reports"][0]["id"]
    client.get(f"/v1/reports/{report}", headers=ws())
    mock.advance(10)
    client.get(f"/v1/reports/{report}", headers=ws())
    page = client.get("/v1/reports?limit=1", headers=ws()).json()["pagination"]
    client.get(f"/v1/reports?limit=1&cursor={page['nextCursor']}", headers=ws())
    lifecycle = client.get("/__mock/coverage").json()["data"]["lifecycle"]
    assert lifecycle["polledToCompletion"] is True and lifecycle["followedNextCursor"] is True
    assert lifecycle["seen"]["ready"] >= 1


def test_a_scope_judges_the_operations_a_client_calls(client: Any) -> None:
    client.get("/v1/reports", headers=ws())
    client.get("/v1/webhooks", headers=ws())
    found = client.get("/__mock/coverage?operations=listReports,Webhooks").json()["data"]
    assert found["scope"] == sorted(["listReports", "createWebhook", "listWebhooks", "getWebhook",
                                     "updateWebhook", "deleteWebhook", "testWebhook"])
    assert sorted(row["operationId"] for row in found["byOperation"]) == found["scope"]
    assert found["operations"] == {"met": 2, "total": 7, "percent": 28.6}
    assert client.get("/__mock/coverage").json()["data"]["scope"] is None
    error = client.get("/__mock/coverage?operations=listReports,listRepotrs").json()
    assert error["code"] == 400 and error["details"] == [
        {"field": "operations", "message": "Not an operation id or a tag of the contract: listRepotrs"}]


def test_every_session_together(client: Any) -> None:
    client.get("/v1/reports", headers=ws(**{"X-Mock-Session": "a"}))
    client.get("/v1/webhooks", headers=ws(**{"X-Mock-Session": "b"}))
    alone = client.get("/__mock/coverage", headers={"X-Mock-Session": "a"}).json()["data"]
    together = client.get("/__mock/coverage?all=true").json()["data"]
    assert alone["operations"]["met"] == 1 and together["operations"]["met"] == 2
    assert {"a", "b"} <= set(together["sessions"])


def test_an_operation_added_to_the_contract_shows_as_not_met() -> None:
    document = yaml.safe_load(spec_path().read_text())
    grown = copy.deepcopy(document)
    grown["paths"]["/v1/reports/{id}/archive"] = {"post": {
        "operationId": "archiveReport", "parameters": [{"name": "id", "in": "path", "required": True,
                                                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "archived"}, "404": {"description": "no such report"}}}}
    index = OperationIndex([Document("grown", "", grown)])
    documented = {op.operation_id: sorted(int(s) for s in op.spec["responses"]) for op in index.by_id.values()}
    entries = [{"method": "GET", "path": "/v1/reports", "status": 200, "query": {}, "violations": []}]
    found = coverage(entries, [], index, documented.__getitem__)
    archive = rows(found)["archiveReport"]
    assert archive["calls"] == 0 and archive["missed"] == [200, 404]
    assert found["operations"]["total"] == len(OperationIndex([Document("x", "", document)]).by_id) + 1
