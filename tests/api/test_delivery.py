"""Recipients receive ready reports; schedules queue reports as the clock passes them (across DST)."""

from datetime import UTC, datetime
from typing import Any

import pytest

from sendkit_mock import ManualClock, Mock, Settings, create_mock

from ..conftest import WS2_KEY, ws

JANE, LUIS = "666f1a2b3c4d5e6f7a8b9c20", "666f1a2b3c4d5e6f7a8b9c21"


@pytest.fixture
def failing_mock(clock: ManualClock) -> Mock:
    return create_mock(Settings(failure_rate=1.0), clock=clock)


def queue(client: Any, recipients: list[str]) -> str:
    body = {"reportType": "workspace", "recipientIds": recipients}
    return str(client.post("/v1/reports", json=body, headers=ws()).json()["data"]["reports"][0]["id"])


def outbox(client: Any, key: str | None = None) -> list[dict[str, Any]]:
    return client.get("/__mock/outbox", headers=ws(key) if key else ws()).json()["data"]  # type: ignore[no-any-return]


def recipient(client: Any, rid: str) -> dict[str, Any]:
    return client.get(f"/v1/reports/recipients/{rid}", headers=ws()).json()["data"]  # type: ignore[no-any-return]


def test_each_recipient_receives_the_report_when_it_is_ready(mock: Mock, client: Any) -> None:
    report_id = queue(client, [JANE, LUIS])
    mock.advance(3)
    assert outbox(client) == [] and recipient(client, JANE)["totalReportsSent"] == 0
    mock.advance(1)
    sent = outbox(client)
    assert [(e["email"], e["reportId"], e["sentAt"]) for e in sent] == [
        ("luis.ortega@example.com", report_id, "2026-04-17T10:00:04.000Z"),
        ("jane@example.com", report_id, "2026-04-17T10:00:04.000Z"),
    ]
    assert sent[0]["subject"] == "Your SendKit report is ready: Brightwave Growth Workspace Report"
    assert recipient(client, JANE)["totalReportsSent"] == 1
    mock.advance(60)
    assert len(outbox(client)) == 2  # delivered once, not at every tick
    assert outbox(client, WS2_KEY) == []  # another workspace sees none of it


def test_failed_reports_and_paused_recipients_receive_nothing(failing_mock: Mock) -> None:
    with failing_mock.app.test_client() as client:
        queue(client, [JANE])
        failing_mock.advance(10)
        assert outbox(client) == [] and recipient(client, JANE)["totalReportsSent"] == 0
    mock = create_mock(Settings(), clock=ManualClock())
    with mock.app.test_client() as client:
        queue(client, [JANE])
        client.patch(f"/v1/reports/recipients/{JANE}", json={"active": False}, headers=ws())
        mock.advance(10)
        assert outbox(client) == []


def test_a_weekly_schedule_runs_at_local_time_across_the_dst_change() -> None:
    clock = ManualClock(datetime(2026, 3, 1, 12, tzinfo=UTC))  # a Sunday; DST starts in New York on 8 March
    mock = create_mock(Settings(), clock=clock)
    with mock.app.test_client() as client:
        body = {"name": "Weekly Wendy", "email": "wendy@example.com", "schedule": {
            "enabled": True, "frequency": "weekly", "dayOfWeek": 1, "timeOfDay": "09:00", "timezone": "America/New_York"}}
        rid = client.post("/v1/reports/recipients", json=body, headers=ws()).json()["data"]["_id"]
        assert recipient(client, rid)["schedule"]["nextScheduledAt"] == "2026-03-02T14:00:00.000Z"
        for _ in range(24 * 15):  # fifteen days, an hour at a time
            mock.advance(3600)
        reports = client.get("/v1/reports", headers=ws()).json()["data"]
        assert [(r["createdAt"], r["periodStart"], r["periodEnd"]) for r in reversed(reports)] == [
            ("2026-03-02T14:00:00.000Z", "2026-02-23T14:00:00.000Z", "2026-03-02T14:00:00.000Z"),
            ("2026-03-09T13:00:00.000Z", "2026-03-02T13:00:00.000Z", "2026-03-09T13:00:00.000Z"),
        ]
        assert all(r["recipientIds"] == [rid] and r["status"] == "ready" for r in reports)
        assert recipient(client, rid)["schedule"]["nextScheduledAt"] == "2026-03-16T13:00:00.000Z"
        assert recipient(client, rid)["totalReportsSent"] == 2
        assert [e["sentAt"] for e in outbox(client)] == ["2026-03-09T13:00:04.000Z", "2026-03-02T14:00:04.000Z"]


def test_a_campaign_recipient_gets_campaign_reports(clock: ManualClock) -> None:
    mock = create_mock(Settings(), clock=clock)
    with mock.app.test_client() as client:
        client.patch(f"/v1/reports/recipients/{JANE}", headers=ws(), json={
            "schedule": {"enabled": True, "frequency": "daily", "timeOfDay": "12:00", "timezone": "UTC"}})
        mock.advance(3 * 3600)
        reports = client.get("/v1/reports", headers=ws()).json()["data"]
        assert [(r["title"], r["campaignIds"]) for r in reports] == [("Q1 Outreach Report", ["664f0a1b2c3d4e5f6a7b8c01"])]


def test_a_deleted_report_is_not_delivered(mock: Mock, client: Any) -> None:
    report_id = queue(client, [JANE])
    client.delete(f"/v1/reports/{report_id}", headers=ws())
    mock.advance(10)
    assert outbox(client) == []

