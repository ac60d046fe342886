"""Every error, empty and slow state on demand: `Prefer` (and its `__` query words) and a session's settings."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sendkit_mock import ManualClock, Settings, create_mock
from sendkit_mock.delivery.senders import RecordingSender

from ..conftest import SEED_BODY, START, ws

REPORT = "/v1/reports/5fd99d2f5f9abfeb15dcfcb8"
HOOK = {"name": "all", "url": "http://127.0.0.1:9/hooks", "events": ["report.ready", "report.failed"]}


def prefer(value: str, **extra: str) -> dict[str, str]:
    return ws(Prefer=value, **extra)


def journal(client: Any, **session: str) -> list[dict[str, Any]]:
    return client.get("/__mock/requests?limit=100", headers=session).json()["data"]


def test_code_answers_the_documented_example_after_authentication(client: Any) -> None:
    missing = client.get(REPORT, headers=prefer("code=404"))
    assert missing.status_code == 404 and missing.json()["error"] == "Not Found"
    assert missing.headers["preference-applied"] == "code=404"
    unavailable = client.post("/v1/reports", json=SEED_BODY, headers=prefer("code=503"))
    assert unavailable.status_code == 503 and unavailable.headers["retry-after"] == "1"
    assert client.get("/v1/reports", headers=ws()).json()["data"] == []  # a canned answer stores nothing
    assert client.get(REPORT, headers={"Prefer": "code=200"}).status_code == 401  # no key: still a 401
    invalid = client.post("/v1/reports", json={"reportType": "campaign"}, headers=prefer("code=201"))
    assert invalid.status_code == 400 and invalid.json()["details"][0]["field"] == "campaignIds"
    assert [e["injected"] for e in journal(client)][-2:] == ["prefer: code=503", "prefer: code=404"]


def test_a_status_the_operation_does_not_document_is_a_400_listing_the_documented_ones(client: Any) -> None:
    answer = client.get(REPORT, headers=prefer("code=418"))
    assert answer.status_code == 400
    detail = answer.json()["details"][0]
    assert detail["field"] == "Prefer" and "418" in detail["message"]
    assert "200, 400, 401, 403, 404, 405, 413, 429, 431, 500, 503" in detail["message"]


def test_named_examples(client: Any) -> None:
    failed = client.get(REPORT, headers=prefer("example=failed"))
    assert failed.status_code == 200 and failed.json()["data"]["status"] == "failed"
    assert failed.json()["data"]["error"]["code"]
    ready = client.get(REPORT, headers=prefer("example=ready-workspace")).json()["data"]
    assert ready["status"] == "ready" and ready["reportType"] == "workspace" and ready["data"]
    empty = client.get("/v1/reports", headers=prefer("example=empty")).json()
    assert empty["data"] == [] and empty["pagination"]["total"] == 0
    duplicate = client.post("/v1/reports/recipients", json={"name": "A", "email": "a@example.com"},
                            headers=prefer("example=duplicate-recipient"))
    assert duplicate.status_code == 409 and duplicate.json()["details"][0]["field"] == "email"
    assert duplicate.headers["preference-applied"] == "example=duplicate-recipient"
    unknown = client.get(REPORT, headers=prefer("code=200, example=nope"))
    assert unknown.status_code == 400 and "ready-campaign" in unknown.json()["details"][0]["message"]


def test_dynamic_bodies_follow_the_schema_and_repeat_for_the_same_request(client: Any) -> None:
    first = client.get("/v1/reports/recipients", headers=prefer("dynamic=true"))
    again = client.get("/v1/reports/recipients", headers=prefer("dynamic=true"))
    other = client.get("/v1/reports/recipients?limit=3", headers=prefer("dynamic=true"))
    assert first.status_code == 200 and first.headers["preference-applied"] == "dynamic=true"
    assert first.json() == again.json() and first.json() != other.json()
    assert first.json()["success"] is True and isinstance(first.json()["data"], list)
    report = client.get(REPORT, headers=prefer("dynamic=true, code=200"))
    assert report.status_code == 200 and report.json()["success"] is True  # validated against the contract


def test_dynamic_bodies_hold_to_the_rules_requests_are_held_to(client: Any) -> None:
    """An answer's e-mail, name, time of day, zone and period bounds carry the schema a request's do, so a made-up
    body never shows `"timeOfDay": "tellus."` or `"periodStart": "dui reprehenderit"`."""
    from datetime import date, datetime

    from sendkit_mock.domain.recipients import EMAIL
    from sendkit_mock.domain.schedule import ZONE_NAMES

    recipients = []
    for limit in range(1, 9):
        answer = client.get(f"/v1/reports/recipients?limit={limit}", headers=prefer("dynamic=true"))
        assert answer.headers["preference-applied"] == "dynamic=true"
        recipients += answer.json()["data"]
    assert recipients
    for recipient in recipients:
        assert EMAIL.fullmatch(recipient["email"]) and recipient["name"].strip()
        schedule = recipient["schedule"]
        assert len(schedule["timeOfDay"]) == 5 and datetime.strptime(schedule["timeOfDay"], "%H:%M")
        assert schedule["timezone"] in ZONE_NAMES
    for variant in range(4):
        answer = client.get(f"/v1/reports/{variant + 1:024x}", headers=prefer("dynamic=true, code=200"))
        assert answer.headers["preference-applied"] == "code=200, dynamic=true", answer.json()
        report = answer.json()["data"]
        for bound in (report["periodStart"], report["periodEnd"]):
            assert date.fromisoformat(bound) if len(bound) == 10 else datetime.fromisoformat(bound.replace("Z", "+00:00"))


def test_a_default_period_that_starts_before_1970_is_answered(client: Any) -> None:
    created = client.post("/v1/reports", json={"reportType": "workspace", "periodEnd": "1970-01-05"}, headers=ws())
    assert created.status_code == 201, created.json()
    report = client.get(f"/v1/reports/{created.json()['data']['reports'][0]['id']}", headers=ws())
    assert report.status_code == 200 and report.json()["data"]["periodStart"] == "1969-12-07"


def test_unknown_preferences_are_ignored_and_bad_values_are_a_400_naming_prefer(client: Any) -> None:
    plain = client.post("/v1/reports", json=SEED_BODY, headers=prefer("return=minimal, respond-async"))
    assert plain.status_code == 201 and "preference-applied" not in plain.headers
    for bad, name in (("code=abc", "code"), ("delay=-5", "delay"), ("delay=60001", "delay"),
                      ("fault=nope", "fault"), ("status=done", "status"), ("dynamic=maybe", "dynamic")):
        answer = client.get("/v1/reports", headers=prefer(bad))
        assert answer.status_code == 400, bad
        detail = answer.json()["details"][0]
        assert detail["field"] == "Prefer" and detail["message"].startswith(f"{name}="), detail


def test_query_words_for_tools_without_headers(client: Any) -> None:
    answer = client.get(f"{REPORT}?__code=404", headers=ws())
    assert answer.status_code == 404 and answer.headers["preference-applied"] == "code=404"
    listed = client.get("/v1/reports?__example=empty&limit=5", headers=ws())
    assert listed.status_code == 200 and listed.json()["data"] == []
    entry = journal(client)[0]
    assert entry["query"] == {"limit": "5"} and entry["violations"] == []
    assert client.get(f"{REPORT}?__code=404", headers=prefer("code=401")).status_code == 401  # the header wins


def test_reports_can_start_ready_or_failed_with_the_usual_effects(clock: ManualClock) -> None:
    sender = RecordingSender()
    mock = create_mock(Settings(), clock=clock, sender=sender)
    with mock.app.test_client() as client:
        client.post("/v1/webhooks", json=HOOK, headers=ws())
        body = {**SEED_BODY, "recipientIds": ["666f1a2b3c4d5e6f7a8b9c20"]}
        ready = client.post("/v1/reports", json=body, headers=prefer("status=ready"))
        assert ready.status_code == 201 and ready.headers["preference-applied"] == "status=ready"
        assert {r["status"] for r in ready.json()["data"]["reports"]} == {"ready"}
        one = client.get(f"/v1/reports/{ready.json()['data']['reports'][0]['id']}", headers=ws()).json()["data"]
        assert one["data"] and one["completedAt"] == one["createdAt"]
        events = [json.loads(c.body)["event"] for c in sender.calls]
        assert events == ["report.ready", "report.ready"]  # sent before the answer, no clock move needed
        assert len(client.get("/__mock/outbox", headers=ws()).json()["data"]) == 2
        failed = client.post("/v1/reports", json={"reportType": "workspace", "recipientIds": [
            "666f1a2b3c4d5e6f7a8b9c20"]}, headers=ws(**{"Prefer": "status=failed"})).json()["data"]["reports"]
        report = client.get(f"/v1/reports/{failed[0]['id']}", headers=ws()).json()["data"]
        assert report["status"] == "failed" and report["error"]["code"]
        assert json.loads(sender.calls[-1].body)["event"] == "report.failed"
        assert len(client.get("/__mock/outbox", headers=ws()).json()["data"]) == 2  # no e-mail for a failure
        running = client.post("/v1/reports", json={"reportType": "workspace"}, headers=prefer("status=processing"))
        assert running.json()["data"]["reports"][0]["status"] == "processing"
        mock.advance(3)
        rid = running.json()["data"]["reports"][0]["id"]
        assert client.get(f"/v1/reports/{rid}", headers=ws()).json()["data"]["status"] == "ready"


def test_a_sessions_rate_limit_answers_429_with_its_headers_and_resets_with_the_clock(client: Any) -> None:
    slow = {"X-Mock-Session": "limited"}
    changed = client.patch("/__mock/settings", json={"rateLimit": "2/s"}, headers=slow)
    assert changed.status_code == 200 and changed.json()["data"]["rateLimit"] == "2/s"
    client.post("/__mock/clock", json={"mode": "manual"}, headers=slow)
    answers = [client.get("/v1/reports", headers=ws(**slow)) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["1", "0", "0"]
    limited = answers[2]
    assert limited.headers["x-ratelimit-limit"] == "2" and int(limited.headers["retry-after"]) == 1
    assert limited.json()["error"] == "Too Many Requests"
    assert int(limited.headers["x-ratelimit-reset"]) == int(START.timestamp()) + 1
    assert client.get("/v1/reports", headers=ws()).status_code == 200  # another session: no limit
    client.post("/__mock/clock", json={"advance": 1}, headers=slow)
    assert client.get("/v1/reports", headers=ws(**slow)).status_code == 200
    assert journal(client, **slow)[1]["injected"] == "rate-limit"


def test_injected_errors_are_reproducible_documented_and_journaled(client: Any) -> None:
    def run(session: str) -> list[int]:
        headers = {"X-Mock-Session": session}
        assert client.patch("/__mock/settings", json={"errorRate": 0.5}, headers=headers).status_code == 200
        return [client.get("/v1/reports", headers=ws(**headers)).status_code for _ in range(30)]

    first, second = run("a"), run("b")
    assert first == second  # the same seed and the same order of requests: the same failures
    assert set(first) == {200, 500, 503}
    failing = client.get("/v1/reports", headers=ws(**{"X-Mock-Session": "c"}))
    assert failing.status_code == 200  # a session of its own is not failing
    client.patch("/__mock/settings", json={"errorRate": 1}, headers={"X-Mock-Session": "c"})
    unavailable = next(a for a in (client.get("/v1/reports", headers=ws(**{"X-Mock-Session": "c"}))
                                   for _ in range(20)) if a.status_code == 503)
    assert unavailable.headers["retry-after"] == "1" and unavailable.json()["code"] == 503
    assert {e["injected"] for e in journal(client, **{"X-Mock-Session": "c"})} >= {"error-rate", None}
    assert client.get("/__mock/clock", headers={"X-Mock-Session": "c"}).status_code == 200  # never the control plane


def test_settings_start_from_the_flags_and_change_per_session() -> None:
    settings = Settings(latency="uniform:5-10", error_rate=0.25, rate_limit="600/min", processing_seconds=7)
    mock = create_mock(settings, clock=ManualClock(START))
    with mock.app.test_client() as client:
        assert client.get("/__mock/settings").json()["data"] == {
            "session": "default", "latency": "uniform:5-10", "errorRate": 0.25, "rateLimit": "600/min",
            "queuedSeconds": 1.0, "processingSeconds": 7.0, "failureRate": 0.0}
        fast = client.patch("/__mock/settings", json={"latency": None, "errorRate": 0, "rateLimit": None,
                                                      "queuedSeconds": 0, "processingSeconds": 0.5},
                            headers={"X-Mock-Session": "fast"}).json()["data"]
        assert fast["latency"] is None and fast["processingSeconds"] == 0.5
        assert client.get("/__mock/settings").json()["data"]["processingSeconds"] == 7.0  # default untouched
        rid = client.post("/v1/reports", json={"reportType": "workspace"},
                          headers=ws(**{"X-Mock-Session": "fast"})).json()["data"]["reports"][0]["id"]
        client.post("/__mock/clock", json={"advance": 0.5}, headers={"X-Mock-Session": "fast"})
        status = client.get(f"/v1/reports/{rid}", headers=ws(**{"X-Mock-Session": "fast"})).json()["data"]["status"]
        assert status == "ready"
        bad = client.patch("/__mock/settings", json={"latency": "uniform:70000-1"})
        assert bad.status_code == 400 and bad.json()["details"][0]["field"] == "latency"


@pytest.mark.parametrize("flags", [{"latency": "fast"}, {"latency": "uniform:400-50"}, {"rate_limit": "many"},
                                   {"error_rate": 2.0}])
def test_bad_flags_stop_start_up_with_a_message(flags: dict[str, Any]) -> None:
    from sendkit_mock.settings import SettingsError

    with pytest.raises(SettingsError):
        Settings(**flags)
