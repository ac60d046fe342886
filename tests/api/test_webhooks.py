"""Webhooks: registration, signed report events fired on the transition, retries, the attempt log."""

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest

from sendkit_mock import ManualClock, Mock, Settings, create_mock
from sendkit_mock.delivery.senders import RecordingSender

from ..conftest import OTHER_WS_KEY, PLATFORM_KEY, START, WS2_KEY, WS_ID, ws

HOOK = {"name": "Report alerts", "url": "http://127.0.0.1:9/hooks", "events": ["report.ready", "report.failed"]}


def build(statuses: tuple[int | None, ...] = (200,), **settings: Any) -> tuple[Mock, RecordingSender]:
    sender = RecordingSender(statuses)
    return create_mock(Settings(**settings), clock=ManualClock(START), sender=sender), sender


@pytest.fixture
def hooked() -> Iterator[tuple[Mock, RecordingSender, Any]]:
    mock, sender = build()
    with mock.app.test_client() as client:
        yield mock, sender, client


def register(client: Any, key: str | None = None, **changes: Any) -> dict[str, Any]:
    response = client.post("/v1/webhooks", json={**HOOK, **changes}, headers=ws(key) if key else ws())
    assert response.status_code == 201, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def attempts(client: Any) -> list[dict[str, Any]]:
    return client.get("/__mock/webhook-deliveries", headers=ws()).json()["data"]  # type: ignore[no-any-return]


def test_create_applies_the_documented_defaults(hooked: Any) -> None:
    _, _, client = hooked
    hook = register(client)
    assert (hook["retryAttempts"], hook["timeoutMs"], hook["status"], hook["workspaceId"]) == (3, 10000, "active", WS_ID)
    assert len(hook["secret"]) == 64 and int(hook["secret"], 16) >= 0
    assert hook["stats"] == {"totalDelivered": 0, "totalFailed": 0, "lastDeliveryAt": None}
    assert register(client, secret="whsec_test_123456")["secret"] == "whsec_test_123456"


@pytest.mark.parametrize(("change", "field"), [
    ({"retryAttempts": 11}, "retryAttempts"), ({"timeoutMs": 999}, "timeoutMs"), ({"timeoutMs": 30001}, "timeoutMs"),
    ({"url": "ftp://example.com"}, "url"), ({"url": "not a url"}, "url"), ({"events": []}, "events"),
    ({"events": ["report.done"]}, "events[0]"), ({"name": "   "}, "name"),
])
def test_out_of_range_fields_are_400(hooked: Any, change: dict[str, Any], field: str) -> None:
    _, _, client = hooked
    response = client.post("/v1/webhooks", json={**HOOK, **change}, headers=ws())
    assert response.status_code == 400 and [d["field"] for d in response.json()["details"]] == [field]


def test_list_get_update_delete(hooked: Any) -> None:
    _, _, client = hooked
    ids = [register(client, name=f"hook {i}")["_id"] for i in range(3)]
    page = client.get("/v1/webhooks?page=2&limit=2", headers=ws()).json()
    assert [h["_id"] for h in page["data"]] == [ids[0]]
    assert page["pagination"] == {"total": 3, "page": 2, "limit": 2, "pages": 2}
    patched = client.patch(f"/v1/webhooks/{ids[1]}", json={"status": "inactive", "retryAttempts": 0}, headers=ws())
    assert (patched.json()["data"]["status"], patched.json()["data"]["retryAttempts"]) == ("inactive", 0)
    assert client.get(f"/v1/webhooks/{ids[1]}", headers=ws()).json()["data"]["status"] == "inactive"
    assert client.delete(f"/v1/webhooks/{ids[1]}", headers=ws()).json() == {"success": True, "data": {"_id": ids[1], "deleted": True}}
    assert client.get(f"/v1/webhooks/{ids[1]}", headers=ws()).status_code == 404
    for outsider in (ws(WS2_KEY), ws(OTHER_WS_KEY)):
        assert client.get(f"/v1/webhooks/{ids[0]}", headers=outsider).status_code == 404
        assert client.get("/v1/webhooks", headers=outsider).json()["data"] == []


def test_the_test_endpoint_sends_a_signed_test_event(hooked: Any) -> None:
    _, sender, client = hooked
    hook = register(client)
    response = client.post(f"/v1/webhooks/{hook['_id']}/test", headers=ws())
    assert response.json() == {"success": True, "data": {"statusCode": 200, "delivered": True, "error": None}}
    call = sender.calls[-1]
    assert call.headers["X-Webhook-Event"] == "test" and json.loads(call.body)["event"] == "test"
    expected = hmac.new(hook["secret"].encode(), call.body, hashlib.sha256).hexdigest()
    assert call.headers["X-Webhook-Signature"] == expected
    assert call.timeout_s == 10.0


def test_report_ready_fires_on_the_transition_not_on_a_poll(hooked: Any) -> None:
    mock, sender, client = hooked
    hook = register(client)
    report_id = client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).json()["data"]["reports"][0]["id"]
    mock.advance(3.9)
    assert sender.calls == []
    mock.advance(0.1)  # nobody polls: the tick alone fires it
    assert len(sender.calls) == 1
    body = json.loads(sender.calls[0].body)
    assert (body["event"], body["workspaceId"], body["timestamp"]) == ("report.ready", WS_ID, "2026-04-17T10:00:04.000Z")
    assert body["data"]["id"] == report_id and body["data"]["status"] == "ready" and body["data"]["data"] is not None
    signature = hmac.new(hook["secret"].encode(), sender.calls[0].body, hashlib.sha256).hexdigest()
    assert sender.calls[0].headers == {**sender.calls[0].headers, "X-Webhook-Event": "report.ready",
                                       "X-Webhook-Signature": signature}
    mock.advance(100)
    assert len(sender.calls) == 1


def test_report_failed_goes_only_to_webhooks_that_listen() -> None:
    mock, sender = build(failure_rate=1.0)
    with mock.app.test_client() as client:
        register(client, events=["report.ready"], url="http://127.0.0.1:9/ready-only")
        register(client, events=["report.failed"], url="http://127.0.0.1:9/failed")
        paused = register(client, events=["report.failed"], url="http://127.0.0.1:9/paused")
        client.patch(f"/v1/webhooks/{paused['_id']}", json={"status": "inactive"}, headers=ws())
        client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
        mock.advance(10)
    assert [c.url for c in sender.calls] == ["http://127.0.0.1:9/failed"]
    assert {json.loads(c.body)["data"]["error"]["code"] for c in sender.calls} == {"GENERATION_FAILED"}


def test_organizational_events_reach_every_owned_workspace(hooked: Any) -> None:
    mock, sender, client = hooked
    register(client)
    register(client, WS2_KEY, url="http://127.0.0.1:9/partners")
    register(client, OTHER_WS_KEY, url="http://127.0.0.1:9/someone-else")
    client.post("/v1/reports", json={"reportType": "organizational"}, headers={"X-Api-Key": PLATFORM_KEY})
    mock.advance(5)
    assert sorted(c.url for c in sender.calls) == ["http://127.0.0.1:9/hooks", "http://127.0.0.1:9/partners"]


def test_a_500_is_retried_with_backoff_until_it_succeeds() -> None:
    mock, sender = build((500, 500, 200))
    with mock.app.test_client() as client:
        hook = register(client)
        client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
        mock.advance(4)
        mock.advance(0.9)
        assert len(sender.calls) == 1  # the first retry waits 1 s
        mock.advance(0.1)
        assert len(sender.calls) == 2
        mock.advance(1.9)
        assert len(sender.calls) == 2  # the second waits 2 s
        mock.advance(0.1)
        log = attempts(client)
        assert [(a["attempt"], a["statusCode"], a["delivered"]) for a in reversed(log)] == [
            (1, 500, False), (2, 500, False), (3, 200, True)]
        assert len({a["deliveryId"] for a in log}) == 1 and log[0]["error"] is None and log[1]["error"] == "HTTP 500"
        stats = client.get(f"/v1/webhooks/{hook['_id']}", headers=ws()).json()["data"]["stats"]
        assert stats == {"totalDelivered": 1, "totalFailed": 0, "lastDeliveryAt": "2026-04-17T10:00:07.000Z"}


def test_delivery_gives_up_after_retry_attempts() -> None:
    mock, sender = build((None,))  # nothing answers
    with mock.app.test_client() as client:
        hook = register(client, retryAttempts=2)
        client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
        for _ in range(20):
            mock.advance(1)
        assert len(sender.calls) == 3  # the first attempt and 2 retries
        assert client.get(f"/v1/webhooks/{hook['_id']}", headers=ws()).json()["data"]["stats"]["totalFailed"] == 1
        assert attempts(client)[0]["statusCode"] is None


def test_the_list_also_pages_by_cursor(hooked: Any) -> None:
    _, _, client = hooked
    ids = [register(client, name=f"hook {i}")["_id"] for i in range(3)]
    after_newest = client.get(f"/v1/webhooks?cursor={ids[2]}&limit=1", headers=ws()).json()
    assert [h["_id"] for h in after_newest["data"]] == [ids[1]] and after_newest["pagination"]["total"] == 3
    unknown = client.get("/v1/webhooks?cursor=" + "a" * 24, headers=ws())
    assert unknown.status_code == 404 and unknown.json()["details"][0]["field"] == "cursor"


# --- where webhooks may point (domain/destinations.py) ---------------------------------------------------------
def shared_mock(names: dict[str, list[str]]) -> tuple[Mock, RecordingSender]:
    """A mock reachable beyond loopback (so with an admin token), webhooks allowed to two names and a range."""
    sender = RecordingSender((200,))
    settings = Settings(host="0.0.0.0", admin_token="t0ken", webhook_allow="hooks.example.com,*.ci.example,10.8.0.0/16")
    return create_mock(settings, clock=ManualClock(START), sender=sender, resolver=lambda h: names.get(h, [])), sender


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/",
                                 "http://127.0.0.1:4010/v1/reports"])
def test_metadata_link_local_and_the_mock_itself_are_refused_at_registration(hooked: Any, url: str) -> None:
    _, _, client = hooked
    response = client.post("/v1/webhooks", json={**HOOK, "url": url}, headers=ws())
    assert response.status_code == 400
    [detail] = response.json()["details"]
    assert detail["field"] == "url" and ("metadata" in detail["message"] or "the mock itself" in detail["message"])


def test_beyond_loopback_only_allowed_destinations_can_be_registered_or_patched_in() -> None:
    mock, _ = shared_mock({"hooks.example.com": ["203.0.113.7"], "elsewhere.example.net": ["198.51.100.1"]})
    with mock.app.test_client() as client:
        for url in ("https://hooks.example.com/sendkit", "http://build.ci.example/hook", "http://10.8.3.4:9000/"):
            assert client.post("/v1/webhooks", json={**HOOK, "url": url}, headers=ws()).status_code == 201, url
        refused = client.post("/v1/webhooks", json={**HOOK, "url": "http://elsewhere.example.net/"}, headers=ws())
        assert refused.status_code == 400
        assert refused.json()["details"] == [{"field": "url", "message": "elsewhere.example.net is not an allowed "
                                              "webhook destination (--webhook-allow: hooks.example.com, *.ci.example, "
                                              "10.8.0.0/16)"}]
        hook = register(client, url="https://hooks.example.com/a")
        patched = client.patch(f"/v1/webhooks/{hook['_id']}", json={"url": "http://10.9.0.1/"}, headers=ws())
        assert patched.status_code == 400 and patched.json()["details"][0]["field"] == "url"
        assert client.get(f"/v1/webhooks/{hook['_id']}", headers=ws()).json()["data"]["url"] == "https://hooks.example.com/a"


def test_a_name_that_comes_to_resolve_inward_is_refused_at_delivery_and_logged() -> None:
    names = {"hooks.example.com": ["203.0.113.7"]}
    mock, sender = shared_mock(names)
    with mock.app.test_client() as client:
        register(client, url="http://hooks.example.com/sendkit", retryAttempts=3)
        client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
        mock.advance(5)
        assert [(c.url, c.address) for c in sender.calls] == [("http://hooks.example.com/sendkit", "203.0.113.7")]
        names["hooks.example.com"] = ["169.254.169.254"]
        client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
        mock.advance(100)
        assert len(sender.calls) == 1  # nothing sent inward, and no retry of a refused destination
        log = client.get("/__mock/webhook-deliveries", headers=ws(**{"X-Mock-Admin-Token": "t0ken"})).json()["data"]
        refused = [a for a in log if a["error"] and a["error"].startswith("Refused")]
        assert len(refused) == 1 and "169.254.169.254" in refused[0]["error"]
        assert (refused[0]["statusCode"], refused[0]["delivered"]) == (None, False)


def test_a_workspace_holds_at_most_100_webhooks_then_a_409_naming_the_limit(client: Any) -> None:
    for n in range(100):
        made = client.post("/v1/webhooks", json={"name": f"hook {n}", "url": f"http://127.0.0.1:9/{n}",
                                                 "events": ["report.ready"]}, headers=ws())
        assert made.status_code == 201, made.text
    refused = client.post("/v1/webhooks", json={"name": "one more", "url": "http://127.0.0.1:9/x",
                                                "events": ["report.ready"]}, headers=ws())
    assert refused.status_code == 409
    assert refused.json()["details"] == [{"field": "url", "message": "At most 100 webhooks per workspace"}]
    assert client.post("/v1/webhooks", json={"name": "elsewhere", "url": "http://127.0.0.1:9/y",
                                             "events": ["report.ready"]}, headers=ws(WS2_KEY)).status_code == 201
