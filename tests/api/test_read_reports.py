"""Polling a report to ready or failed, listing by cursor, deleting."""

from typing import Any

from sendkit_mock import ManualClock, Settings, create_mock

from ..conftest import SEED_BODY, START, ws


def poll(client: Any, rid: str) -> dict[str, Any]:
    response = client.get(f"/v1/reports/{rid}", headers=ws())
    assert response.status_code == 200
    return response.json()["data"]  # type: ignore[no-any-return]


def test_a_report_goes_queued_processing_ready_as_the_clock_moves(client: Any, clock: ManualClock) -> None:
    rid = client.post("/v1/reports", json=SEED_BODY, headers=ws()).json()["data"]["reports"][0]["id"]
    seen = []
    for _ in range(6):
        report = poll(client, rid)
        seen.append((report["status"], report["startedAt"], report["completedAt"], report["data"] is not None))
        clock.advance(1)
    assert seen == [
        ("queued", None, None, False),
        ("processing", "2026-04-17T10:00:01.000Z", None, False),
        ("processing", "2026-04-17T10:00:01.000Z", None, False),
        ("processing", "2026-04-17T10:00:01.000Z", None, False),
        ("ready", "2026-04-17T10:00:01.000Z", "2026-04-17T10:00:04.000Z", True),
        ("ready", "2026-04-17T10:00:01.000Z", "2026-04-17T10:00:04.000Z", True),
    ]
    assert poll(client, rid)["updatedAt"] == "2026-04-17T10:00:04.000Z"


def test_failed_reports_carry_an_error_and_no_data() -> None:
    clock = ManualClock(START)
    mock = create_mock(Settings(failure_rate=1.0), clock=clock)
    with mock.app.test_client() as client:
        rid = client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).json()["data"]["reports"][0]["id"]
        clock.advance(10)
        report = poll(client, rid)
    assert report["status"] == "failed" and report["data"] is None
    assert report["error"]["code"] == "GENERATION_FAILED" and report["error"]["message"]
    assert report["completedAt"] == "2026-04-17T10:00:04.000Z"


def test_the_same_seed_and_requests_give_the_same_ids_and_bodies() -> None:
    def run(seed: int) -> list[str]:
        mock = create_mock(Settings(seed=seed), clock=ManualClock(START))
        with mock.app.test_client() as client:
            out = [client.post("/v1/reports", json=SEED_BODY, headers=ws()).text for _ in range(3)]
            return out + [client.get("/v1/reports", headers=ws()).text]

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_listing_pages_newest_first_by_cursor(client: Any, clock: ManualClock) -> None:
    ids = []
    for _ in range(7):
        ids += [r["id"] for r in client.post("/v1/reports", json=SEED_BODY, headers=ws()).json()["data"]["reports"]]
        clock.advance(1)
    seen, cursor = [], None
    while True:
        query = "/v1/reports?limit=5" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(query, headers=ws()).json()
        seen += [r["id"] for r in body["data"]]
        assert body["pagination"]["total"] == 14 and body["pagination"]["limit"] == 5
        assert body["pagination"]["nextCursor"] == body["data"][-1]["id"]
        assert all("data" not in r for r in body["data"])
        cursor = body["pagination"]["nextCursor"]
        if not body["pagination"]["hasMore"]:
            break
    assert seen == list(reversed(ids))


def test_the_default_page_is_25_and_filters_narrow_the_total(client: Any, clock: ManualClock) -> None:
    for _ in range(14):
        client.post("/v1/reports", json=SEED_BODY, headers=ws())
    clock.advance(10)
    client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
    page = client.get("/v1/reports", headers=ws()).json()
    assert len(page["data"]) == 25 and page["pagination"] == {
        "limit": 25, "total": 29, "hasMore": True, "nextCursor": page["data"][-1]["id"]}
    queued = client.get("/v1/reports?status=queued", headers=ws()).json()
    assert [r["reportType"] for r in queued["data"]] == ["workspace"] and queued["pagination"]["total"] == 1
    ready_campaigns = client.get("/v1/reports?status=ready&reportType=campaign&limit=100", headers=ws()).json()
    assert ready_campaigns["pagination"]["total"] == 28 and not ready_campaigns["pagination"]["hasMore"]


def test_an_empty_page_has_a_null_cursor_and_an_unknown_cursor_is_404_naming_it(client: Any) -> None:
    assert client.get("/v1/reports", headers=ws()).json()["pagination"] == {
        "limit": 25, "total": 0, "hasMore": False, "nextCursor": None}
    for path in ("/v1/reports", "/v1/reports/recipients"):  # a campaign id: schema-valid, names no item of the list
        response = client.get(f"{path}?cursor=664f0a1b2c3d4e5f6a7b8c01", headers=ws())
        assert response.status_code == 404, path
        assert response.json()["details"] == [
            {"field": "cursor", "message": "Unknown cursor: pass the nextCursor of a previous page of this list"}]


def test_delete_removes_the_report_for_good(client: Any) -> None:
    rid = client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).json()["data"]["reports"][0]["id"]
    response = client.delete(f"/v1/reports/{rid}", headers=ws())
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"_id": rid, "id": rid, "deleted": True}}
    assert client.get(f"/v1/reports/{rid}", headers=ws()).status_code == 404
    assert client.delete(f"/v1/reports/{rid}", headers=ws()).status_code == 404
    assert client.get("/v1/reports", headers=ws()).json()["pagination"]["total"] == 0


def test_the_store_cap_evicts_the_oldest_finished_report(clock: ManualClock) -> None:
    mock = create_mock(Settings(max_reports=3), clock=clock)
    with mock.app.test_client() as client:
        first = client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).json()["data"]["reports"][0]["id"]
        clock.advance(10)
        for _ in range(3):
            client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
        assert client.get(f"/v1/reports/{first}", headers=ws()).status_code == 404
        assert client.get("/v1/reports", headers=ws()).json()["pagination"]["total"] == 3
