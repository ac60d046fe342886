"""What the dashboard reads, through the control plane only: the server, every report of a session with its
timeline, every delivery, and journal entries that keep the answer and the key's workspace. The page itself."""

from __future__ import annotations

from typing import Any

import pytest

from sendkit_mock import ManualClock, Mock, Settings, create_mock
from sendkit_mock.delivery.senders import RecordingSender

from ..conftest import PLATFORM_KEY, SEED_BODY, START, WS2_ID, WS2_KEY, WS_ID, WS_KEY, ws


def create(client: Any, key: str = WS_KEY, session: str | None = None, **body: Any) -> str:
    headers = ws(key, **({"X-Mock-Session": session} if session else {}))
    made = client.post("/v1/reports", json=body or SEED_BODY, headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["data"]["reports"][0]["id"])


def test_the_server_lists_its_sessions_the_worlds_workspaces_and_no_reload(client: Any) -> None:
    create(client, session="demo")
    server = client.get("/__mock/server").json()["data"]
    assert server["sessions"][0] == "default" and "demo" in server["sessions"]
    assert {"id": WS_ID, "name": "Brightwave Growth"} in server["workspaces"]
    assert (server["seed"], server["reload"]) == ("42", {"watching": False, "reloads": 0, "error": None})
    assert server["store"] in ("memory", "redis") and server["version"]


def test_the_world_lists_keys_campaigns_and_the_sessions_recipients_and_webhooks_by_workspace(client: Any) -> None:
    hook = client.post("/v1/webhooks", headers=ws(), json={"name": "dev server", "url": "http://127.0.0.1:9/hooks",
                                                          "events": ["report.ready"]}).json()["data"]
    made = client.post("/v1/reports/recipients", headers=ws(), json={
        "name": "Ana Lima", "email": "ana@example.com", "reportType": "workspace",
        "schedule": {"enabled": True, "frequency": "daily", "timeOfDay": "09:00", "timezone": "UTC"}})
    assert made.status_code == 201, made.text
    client.post("/v1/webhooks", headers=ws(WS2_KEY), json={"name": "theirs", "url": "http://127.0.0.1:9/x",
                                                          "events": ["report.failed"]})
    client.post("/v1/webhooks", headers=ws(), json={"name": "elsewhere", "url": "http://127.0.0.1:9/y",
                                                        "events": ["report.ready"]}, params={"__session": "other"})
    world = client.get("/__mock/world").json()["data"]
    growth = next(w for w in world["workspaces"] if w["id"] == WS_ID)
    assert growth["apiKey"] == WS_KEY and growth["name"] == "Brightwave Growth"
    assert {"id": "664f0a1b2c3d4e5f6a7b8c01", "name": "Q1 Outreach", "status": "active"} in growth["campaigns"]
    assert [h["name"] for h in growth["webhooks"]] == ["dev server"] and growth["webhooks"][0]["_id"] == hook["_id"]
    ana = growth["recipients"][-1]
    assert ana["name"] == "Ana Lima" and ana["schedule"]["nextScheduledAt"] == "2026-04-18T09:00:00.000Z"
    assert [r["name"] for r in growth["recipients"][:2]] == ["Jane Smith", "Luis Ortega"]  # the fixtures' first
    partners = next(w for w in world["workspaces"] if w["id"] == WS2_ID)
    assert [h["name"] for h in partners["webhooks"]] == ["theirs"]
    maya = next(u for u in world["users"] if u["apiKey"] == PLATFORM_KEY)
    assert maya["name"] == "Maya Chen" and maya["workspaceIds"] == [WS_ID, WS2_ID]


def test_every_report_of_the_session_is_listed_newest_first_whatever_key_made_it(mock: Mock, client: Any) -> None:
    first = create(client, reportType="campaign", campaignIds=["664f0a1b2c3d4e5f6a7b8c01"])
    second = create(client, WS2_KEY, reportType="workspace")
    organizational = create(client, PLATFORM_KEY, reportType="organizational")
    create(client, session="other")  # another session's is not listed
    page = client.get("/__mock/reports").json()
    assert [item["report"]["id"] for item in page["data"]] == [organizational, second, first]
    assert [item["report"]["workspaceId"] for item in page["data"]] == [None, WS2_ID, WS_ID]
    assert page["pagination"]["total"] == 3 and "data" not in page["data"][0]["report"]
    timeline = page["data"][2]["timeline"]
    assert timeline == {"startsAt": "2026-04-17T10:00:01.000Z", "finishesAt": "2026-04-17T10:00:04.000Z",
                        "progress": 0.0}
    mock.advance(2)
    item = client.get("/__mock/reports", params={"limit": 1, "cursor": second}).json()
    assert item["data"][0]["report"]["status"] == "processing" and item["data"][0]["timeline"]["progress"] == 0.5
    assert item["pagination"] == {"limit": 1, "total": 3, "hasMore": False, "nextCursor": first}
    mock.advance(2)
    assert [i["timeline"]["progress"] for i in client.get("/__mock/reports").json()["data"]] == [1.0, 1.0, 1.0]
    assert client.get("/__mock/reports", params={"status": "queued"}).json()["data"] == []


def test_a_held_report_has_no_finish_and_no_progress(client: Any) -> None:
    report = create(client, reportType="workspace")
    client.put(f"/__mock/reports/{report}/status", json={"status": "processing"})
    (item,) = client.get("/__mock/reports").json()["data"]
    assert item["timeline"]["finishesAt"] is None and item["timeline"]["progress"] is None


def test_one_report_comes_whole_with_its_content_once_ready(mock: Mock, client: Any) -> None:
    report = create(client, WS2_KEY, reportType="workspace")
    assert client.get(f"/__mock/reports/{report}").json()["data"]["report"]["data"] is None
    mock.advance(5)
    whole = client.get(f"/__mock/reports/{report}").json()["data"]
    assert whole["report"] == client.get(f"/v1/reports/{report}", headers=ws(WS2_KEY)).json()["data"]
    assert whole["report"]["data"]["executiveSummary"]["totals"]["sent"] >= 0


@pytest.mark.parametrize(("path", "field"), [
    ("/__mock/reports/5fd99d2f5f9abfeb15dcfcb8", None),
    ("/__mock/reports?cursor=5fd99d2f5f9abfeb15dcfcb8", "cursor"),
])
def test_an_unknown_report_or_cursor_is_a_404_in_sendkits_shape(client: Any, path: str, field: str | None) -> None:
    answer = client.get(path)
    assert answer.status_code == 404 and answer.json()["code"] == 404
    assert [d["field"] for d in answer.json().get("details") or []] == ([field] if field else [])


def test_deliveries_show_each_attempt_the_retry_waiting_and_the_outbox_of_every_workspace() -> None:
    sender = RecordingSender((500, 200))
    mock = create_mock(Settings(), clock=ManualClock(START), sender=sender)
    with mock.app.test_client() as client:
        hook = client.post("/v1/webhooks", headers=ws(WS2_KEY), json={
            "name": "alerts", "url": "http://127.0.0.1:9/hooks", "events": ["report.ready"]}).json()["data"]
        create(client, WS2_KEY, reportType="workspace", recipientIds=[])
        create(client, reportType="workspace", recipientIds=["666f1a2b3c4d5e6f7a8b9c20"])
        mock.advance(4)
        seen = client.get("/__mock/deliveries").json()["data"]
        (attempt,) = seen["attempts"]
        assert (attempt["webhookId"], attempt["statusCode"], attempt["delivered"]) == (hook["_id"], 500, False)
        assert seen["waiting"] == [{"deliveryId": attempt["deliveryId"], "webhookId": hook["_id"],
                                    "workspaceId": WS2_ID, "event": "report.ready", "attempt": 2,
                                    "dueAt": "2026-04-17T10:00:05.000Z"}]
        assert [m["email"] for m in seen["outbox"]] == ["jane@example.com"]
        mock.advance(1)
        seen = client.get("/__mock/deliveries").json()["data"]
        assert [a["statusCode"] for a in seen["attempts"]] == [200, 500] and seen["waiting"] == []


def test_the_journal_keeps_each_answer_and_the_workspace_the_key_acted_on(client: Any) -> None:
    report = create(client, reportType="workspace")
    client.post("/v1/reports", json={"reportType": "campaign"}, headers=ws())
    client.get("/v1/reports", headers={"X-Api-Key": PLATFORM_KEY, "X-Workspace-Id": WS2_ID})
    client.get("/v1/reports", headers={"X-Api-Key": "sk_nope"})
    unknown, platform, refused, made = client.get("/__mock/requests").json()["data"]
    assert made["answer"]["data"]["reports"][0]["id"] == report and made["workspaceId"] == WS_ID
    assert refused["answer"]["details"][0]["field"] == "campaignIds" and refused["workspaceId"] == WS_ID
    assert platform["workspaceId"] == WS2_ID and platform["answer"]["pagination"]["total"] == 0
    assert unknown["status"] == 401 and unknown["workspaceId"] is None and unknown["answer"]["code"] == 401


def test_the_page_at_the_root_leads_to_the_docs_and_ships_its_own_assets(client: Any) -> None:
    page = client.get("/", headers={"Host": "127.0.0.1:4010"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for link in ('href="/ui/"', 'href="/openapi.yaml"', 'href="/openapi.json"', 'src="/dashboard/dashboard.js"',
                 'href="/dashboard/dashboard.css"'):
        assert link in page.text
    assert "curl -s -X POST http://127.0.0.1:4010/v1/reports" in page.text and WS_KEY in page.text
    assert "http://" not in page.text.replace("http://127.0.0.1:4010", "")  # nothing from the network
    script = client.get("/dashboard/dashboard.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    for endpoint in ("/__mock/reports", "/__mock/requests", "/__mock/deliveries", "/__mock/server",
                     "/__mock/clock", "/__mock/settings", "/__mock/reset"):
        assert endpoint in script.text  # the page reads and acts through the control plane
    assert client.get("/dashboard/dashboard.css").headers["content-type"].startswith("text/css")
    assert client.get("/dashboard/nothing.js").status_code == 404
    assert client.head("/").status_code == 200 and client.head("/").content == b""
