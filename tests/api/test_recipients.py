"""Report recipients: the documented create and list, the inferred read, update and delete."""

from typing import Any

import pytest

from ..conftest import OTHER_WS_KEY, PLATFORM_KEY, WS2_ID, WS2_KEY, ws

JANE = "666f1a2b3c4d5e6f7a8b9c20"
NEW = {
    "name": "Ana Lima", "email": "ana@lima.example", "company": "Lima Labs", "role": "COO", "reportType": "campaign",
    "campaignIds": ["664f0a1b2c3d4e5f6a7b8c01"],
    "schedule": {"enabled": True, "frequency": "weekly", "dayOfWeek": 1, "timeOfDay": "09:00",
                 "timezone": "America/New_York"},
}


def create(client: Any, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return client.post("/v1/reports/recipients", json=body, headers=headers or ws())


def test_create_fills_in_the_server_fields(client: Any) -> None:
    response = create(client, NEW)
    assert response.status_code == 201
    data = response.json()["data"]
    assert {k: data[k] for k in NEW if k != "schedule"} == {k: v for k, v in NEW.items() if k != "schedule"}
    assert data["active"] is True and data["totalReportsSent"] == 0
    assert data["schedule"] == {**NEW["schedule"], "dayOfMonth": 1, "nextScheduledAt": "2026-04-20T13:00:00.000Z"}
    assert data["createdAt"] == data["updatedAt"] == "2026-04-17T10:00:00.000Z" and len(data["_id"]) == 24


def test_the_seed_pages_invalid_email_error(client: Any) -> None:
    response = create(client, {**NEW, "email": "not-an-email"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "Bad Request", "message": "The request contains invalid parameters or malformed data", "code": 400,
        "details": [{"field": "email", "message": "Invalid email format"}],
    }
    assert create(client, {**NEW, "email": "a@b"}).json()["details"] == [{"field": "email", "message": "Invalid email format"}]


@pytest.mark.parametrize(("schedule", "field"), [
    ({"timezone": "Mars/Olympus"}, "schedule.timezone"),
    ({"timezone": "../../etc/passwd"}, "schedule.timezone"),
    ({"timeOfDay": "9am"}, "schedule.timeOfDay"),
    ({"frequency": "hourly"}, "schedule.frequency"),
    ({"dayOfWeek": 7}, "schedule.dayOfWeek"),
])
def test_a_bad_schedule_names_its_field(client: Any, schedule: dict[str, Any], field: str) -> None:
    response = create(client, {**NEW, "schedule": {**NEW["schedule"], **schedule}})
    assert response.status_code == 400 and [d["field"] for d in response.json()["details"]] == [field]


def test_duplicate_emails_in_a_workspace_are_409_but_other_workspaces_may_reuse_them(client: Any) -> None:
    assert create(client, NEW).status_code == 201
    duplicate = create(client, {**NEW, "email": "ANA@lima.example"})
    assert duplicate.status_code == 409 and duplicate.json()["error"] == "Conflict"
    assert create(client, {**NEW, "reportType": "workspace", "campaignIds": []}, ws(WS2_KEY)).status_code == 201


@pytest.mark.parametrize("campaigns", [{}, {"campaignIds": []}])
def test_a_campaign_recipient_without_campaigns_is_400_naming_them(client: Any, campaigns: dict[str, Any]) -> None:
    body = {k: v for k, v in NEW.items() if k != "campaignIds"} | campaigns
    response = create(client, body)
    assert response.status_code == 400
    assert response.json()["details"] == [
        {"field": "campaignIds", "message": "Required for campaign recipients: 1 to 10 campaign ids"}]
    luis = "666f1a2b3c4d5e6f7a8b9c21"  # Luis Ortega: a workspace recipient of the fixtures
    patched = client.patch(f"/v1/reports/recipients/{luis}", json={"reportType": "campaign", **campaigns}, headers=ws())
    assert patched.status_code == 400 and patched.json()["details"][0]["field"] == "campaignIds"


def test_a_patch_that_would_empty_a_campaign_recipients_campaigns_is_409(client: Any) -> None:
    jane = "666f1a2b3c4d5e6f7a8b9c20"  # a campaign recipient of the fixtures
    response = client.patch(f"/v1/reports/recipients/{jane}", json={"campaignIds": []}, headers=ws())
    assert response.status_code == 409
    assert response.json()["details"] == [
        {"field": "campaignIds", "message": "Would leave this campaign recipient without campaigns"}]
    assert client.get(f"/v1/reports/recipients/{jane}", headers=ws()).json()["data"]["campaignIds"] != []
    moved = client.patch(f"/v1/reports/recipients/{jane}", json={"reportType": "workspace", "campaignIds": []},
                         headers=ws())
    assert moved.status_code == 200 and moved.json()["data"]["reportType"] == "workspace"


def test_unknown_campaigns_are_404(client: Any) -> None:
    response = create(client, {**NEW, "campaignIds": ["664f0a1b2c3d4e5f6a7b8e01"]})
    assert response.status_code == 404 and response.json()["details"][0]["field"] == "campaignIds[0]"


def test_list_pages_by_cursor_and_searches_name_email_company(client: Any) -> None:
    for i in range(4):
        create(client, {"name": f"Person {i}", "email": f"p{i}@corp.example", "company": "Globex" if i % 2 else "Initech"})
    first = client.get("/v1/reports/recipients?limit=4", headers=ws()).json()
    assert first["pagination"] == {"limit": 4, "total": 6, "hasMore": True, "nextCursor": first["data"][-1]["_id"]}
    rest = client.get(f"/v1/reports/recipients?limit=4&cursor={first['pagination']['nextCursor']}", headers=ws()).json()
    names = [r["name"] for r in first["data"] + rest["data"]]
    assert names == ["Person 3", "Person 2", "Person 1", "Person 0", "Luis Ortega", "Jane Smith"]
    for search, expected in [("globex", ["Person 3", "Person 1"]), ("P0@CORP", ["Person 0"]), ("acme", ["Jane Smith"])]:
        found = client.get(f"/v1/reports/recipients?search={search}", headers=ws()).json()
        assert [r["name"] for r in found["data"]] == expected and found["pagination"]["total"] == len(expected)


def test_read_update_delete_one(client: Any, clock: Any) -> None:
    rid = create(client, NEW).json()["data"]["_id"]
    assert client.get(f"/v1/reports/recipients/{rid}", headers=ws()).json()["data"]["name"] == "Ana Lima"
    clock.advance(60)
    patched = client.patch(f"/v1/reports/recipients/{rid}", json={"role": "CEO", "schedule": {"frequency": "daily"}},
                           headers=ws()).json()["data"]
    assert patched["role"] == "CEO" and patched["schedule"]["timezone"] == "America/New_York"
    assert patched["schedule"]["nextScheduledAt"] == "2026-04-17T13:00:00.000Z"  # daily, 09:00 New York
    assert patched["updatedAt"] == "2026-04-17T10:01:00.000Z" and patched["createdAt"] == "2026-04-17T10:00:00.000Z"
    paused = client.patch(f"/v1/reports/recipients/{rid}", json={"active": False}, headers=ws()).json()["data"]
    assert paused["active"] is False and paused["schedule"]["nextScheduledAt"] is None
    assert client.patch(f"/v1/reports/recipients/{rid}", json={"email": "jane@example.com"}, headers=ws()).status_code == 409
    deleted = client.delete(f"/v1/reports/recipients/{rid}", headers=ws())
    assert deleted.json() == {"success": True, "data": {"_id": rid, "deleted": True}}
    assert client.get(f"/v1/reports/recipients/{rid}", headers=ws()).status_code == 404


def test_recipients_are_invisible_outside_their_workspace(client: Any) -> None:
    for outsider in (ws(WS2_KEY), ws(OTHER_WS_KEY), {"X-Api-Key": PLATFORM_KEY, "X-Workspace-Id": WS2_ID}):
        assert client.get(f"/v1/reports/recipients/{JANE}", headers=outsider).status_code == 404
        assert client.delete(f"/v1/reports/recipients/{JANE}", headers=outsider).status_code == 404
        assert JANE not in {r["_id"] for r in client.get("/v1/reports/recipients", headers=outsider).json()["data"]}
    assert client.get("/v1/reports/recipients", headers={"X-Api-Key": PLATFORM_KEY}).status_code == 400


def test_the_recipients_path_is_not_a_report_id(client: Any) -> None:
    response = client.delete("/v1/reports/recipients", headers=ws())
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD, POST"


def test_a_workspace_holds_at_most_1000_recipients_then_a_409_naming_the_limit(client: Any) -> None:
    held = client.get("/v1/reports/recipients", headers=ws()).json()["pagination"]["total"]  # the world's
    for n in range(1_000 - held):
        made = client.post("/v1/reports/recipients", json={"name": f"R {n}", "email": f"r{n}@example.com",
                                                           "reportType": "workspace"}, headers=ws())
        assert made.status_code == 201, made.text
    refused = client.post("/v1/reports/recipients", json={"name": "One more", "email": "more@example.com",
                                                          "reportType": "workspace"}, headers=ws())
    assert refused.status_code == 409
    assert refused.json()["details"] == [{"field": "email", "message": "At most 1,000 recipients per workspace"}]
