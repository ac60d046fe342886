"""POST /v1/reports: the seed page's example and every rule around it."""

from typing import Any

import pytest

from ..conftest import PLATFORM_KEY, SEED_BODY, SEED_CAMPAIGNS, WS_ID, ws


def details(response: Any) -> dict[str, str]:
    body = response.json()
    assert set(body) <= {"error", "message", "code", "details"} and body["code"] == response.status_code
    return {d["field"]: d["message"] for d in body.get("details", [])}


def test_the_seed_example_queues_one_report_per_campaign(client: Any) -> None:
    response = client.post("/v1/reports", json=SEED_BODY, headers=ws())
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    assert body["data"]["message"] == "2 reports queued for generation"
    reports = body["data"]["reports"]
    assert [(r["title"], r["reportType"], r["status"]) for r in reports] == [
        ("Q1 Outreach Report", "campaign", "queued"),
        ("Follow-up Campaign Report", "campaign", "queued"),
    ]
    assert all(len(r["id"]) == 24 and set(r) == {"id", "title", "reportType", "status"} for r in reports)


def test_one_report_message_is_singular(client: Any) -> None:
    response = client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
    assert response.json()["data"]["message"] == "1 report queued for generation"
    assert response.json()["data"]["reports"][0]["title"] == "Brightwave Growth Workspace Report"


def test_the_stored_report_keeps_what_was_asked(client: Any) -> None:
    rid = client.post("/v1/reports", json={**SEED_BODY, "recipientIds": ["666f1a2b3c4d5e6f7a8b9c20"]},
                      headers=ws()).json()["data"]["reports"][1]["id"]
    report = client.get(f"/v1/reports/{rid}", headers=ws()).json()["data"]
    assert report["_id"] == report["id"] == rid
    assert report["workspaceId"] == WS_ID
    assert report["campaignIds"] == [SEED_CAMPAIGNS[1]]
    assert (report["periodStart"], report["periodEnd"]) == ("2026-01-01", "2026-04-17")
    assert report["sections"] == {"executiveSummary": True, "campaignPerformance": True, "mailboxHealth": False}
    assert report["recipientIds"] == ["666f1a2b3c4d5e6f7a8b9c20"]
    assert report["createdAt"] == report["updatedAt"] == "2026-04-17T10:00:00.000Z"
    assert (report["startedAt"], report["completedAt"], report["error"], report["data"]) == (None, None, None, None)


def test_omitted_sections_and_period_take_their_defaults(client: Any) -> None:
    rid = client.post("/v1/reports", json={"reportType": "workspace", "sections": {"mailboxHealth": False}},
                      headers=ws()).json()["data"]["reports"][0]["id"]
    report = client.get(f"/v1/reports/{rid}", headers=ws()).json()["data"]
    assert report["sections"] == {"executiveSummary": True, "campaignPerformance": True, "mailboxHealth": False}
    assert (report["periodStart"], report["periodEnd"]) == ("2026-03-19", "2026-04-17")


def test_campaign_ids_are_ignored_for_workspace_reports(client: Any) -> None:
    rid = client.post("/v1/reports", json={"reportType": "workspace", "campaignIds": SEED_CAMPAIGNS},
                      headers=ws()).json()["data"]["reports"][0]["id"]
    assert client.get(f"/v1/reports/{rid}", headers=ws()).json()["data"]["campaignIds"] == []


def test_organizational_reports_span_the_users_account(client: Any) -> None:
    platform = {"X-Api-Key": PLATFORM_KEY}
    response = client.post("/v1/reports", json={"reportType": "organizational"}, headers=platform)
    assert response.status_code == 201
    report = client.get(f"/v1/reports/{response.json()['data']['reports'][0]['id']}", headers=platform).json()["data"]
    assert report["workspaceId"] is None and report["reportType"] == "organizational"


def test_every_validation_problem_is_listed_with_a_readable_field(client: Any) -> None:
    body = {
        "reportType": "quarterly",
        "campaignIds": ["nope", SEED_CAMPAIGNS[0], SEED_CAMPAIGNS[0]],
        "periodStart": "01/02/2026",
        "periodEnd": "2026-02-30",
        "sections": {"mailboxHealth": "yes", "charts": True},
        "recipientIds": "666f1a2b3c4d5e6f7a8b9c20",
        "format": "pdf",
    }
    response = client.post("/v1/reports", json=body, headers=ws())
    assert response.status_code == 400
    assert response.json()["message"] == "The request contains invalid parameters or malformed data"
    assert details(response) == {
        "reportType": "Must be one of: campaign, workspace, organizational",
        "campaignIds": "Must not contain duplicates",
        "campaignIds[0]": "Must be a 24-character hexadecimal id",
        "periodStart": "Must be a date (YYYY-MM-DD) or an ISO 8601 date-time from 1970 to 2099",
        "periodEnd": "Must be a date (YYYY-MM-DD) or an ISO 8601 date-time from 1970 to 2099",
        "sections.mailboxHealth": "Must be of type boolean",
        "sections.charts": "Is not an allowed property",
        "recipientIds": "Must be of type array",
        "format": "Is not an allowed property",
    }


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"reportType": "campaign"}, "campaignIds", "Required for campaign reports: 1 to 10 campaign ids"),
        ({"reportType": "campaign", "campaignIds": []}, "campaignIds", "Must contain at least 1 item"),
        ({"reportType": "campaign", "campaignIds": [f"664f0a1b2c3d4e5f6a7b8c{i:02x}" for i in range(1, 12)]},
         "campaignIds", "Must contain at most 10 items"),
        ({"reportType": "workspace", "periodStart": "0985-04-02"}, "periodStart",
         "Must be a date (YYYY-MM-DD) or an ISO 8601 date-time from 1970 to 2099"),
        ({"reportType": "workspace", "periodStart": "20260101"}, "periodStart",
         "Must be a date (YYYY-MM-DD) or an ISO 8601 date-time from 1970 to 2099"),
        ({}, "reportType", "Is required"),
        ({"reportType": "workspace", "sections": {"executiveSummary": 1}}, "sections.executiveSummary",
         "Must be of type boolean"),
    ],
)
def test_each_rule_names_its_field(client: Any, body: dict[str, Any], field: str, message: str) -> None:
    response = client.post("/v1/reports", json=body, headers=ws())
    assert response.status_code == 400
    assert details(response) == {field: message}


@pytest.mark.parametrize(("period", "field", "message"), [
    ({"periodStart": "2026-04-30", "periodEnd": "2026-04-01"}, "periodEnd", "Must not be before periodStart"),
    ({"periodStart": "2026-04-02T12:00:00Z", "periodEnd": "2026-04-01"}, "periodEnd", "Must not be before periodStart"),
    ({"periodStart": "2026-05-01"}, "periodStart", "Must not be after periodEnd, which is today when left out"),
])
def test_a_reversed_period_is_a_400_naming_the_bound_to_fix(
        client: Any, period: dict[str, str], field: str, message: str) -> None:
    """Swapped dates are a client bug the mock shows (x-sendkit-inferred), and nothing is queued for them."""
    response = client.post("/v1/reports", json={"reportType": "workspace", **period}, headers=ws())
    assert response.status_code == 400
    assert details(response) == {field: message}
    assert client.get("/v1/reports", headers=ws()).json()["pagination"]["total"] == 0


def test_a_period_of_one_day_and_an_empty_one_are_accepted(client: Any) -> None:
    for period in ({"periodStart": "2026-04-01", "periodEnd": "2026-04-01"},
                   {"periodStart": "2026-04-01T00:00:00Z", "periodEnd": "2026-03-31"}):
        response = client.post("/v1/reports", json={"reportType": "workspace", **period}, headers=ws())
        assert response.status_code == 201, response.text


def test_rfc3339_periods_are_accepted(client: Any) -> None:
    body = {"reportType": "workspace", "periodStart": "2026-01-01T00:00:00Z", "periodEnd": "2026-01-31T12:00:00+01:00"}
    rid = client.post("/v1/reports", json=body, headers=ws()).json()["data"]["reports"][0]["id"]
    report = client.get(f"/v1/reports/{rid}", headers=ws()).json()["data"]
    assert (report["periodStart"], report["periodEnd"]) == ("2026-01-01T00:00:00.000Z", "2026-01-31T11:00:00.000Z")


def test_unknown_campaigns_and_recipients_are_404_naming_each(client: Any) -> None:
    body = {**SEED_BODY, "campaignIds": [SEED_CAMPAIGNS[0], "664f0a1b2c3d4e5f6a7b8e01", "aaaaaaaaaaaaaaaaaaaaaaaa"],
            "recipientIds": ["666f1a2b3c4d5e6f7a8b9c30"]}  # e01: Northwind's campaign; c30: another workspace's
    response = client.post("/v1/reports", json=body, headers=ws())
    assert response.status_code == 404
    assert response.json()["message"] == "The requested resource was not found"
    assert details(response) == {
        "campaignIds[1]": "Campaign 664f0a1b2c3d4e5f6a7b8e01 was not found in this workspace",
        "campaignIds[2]": "Campaign aaaaaaaaaaaaaaaaaaaaaaaa was not found in this workspace",
        "recipientIds[0]": "Recipient 666f1a2b3c4d5e6f7a8b9c30 was not found",
    }
    assert client.get("/v1/reports", headers=ws()).json()["pagination"]["total"] == 0  # nothing half-created
