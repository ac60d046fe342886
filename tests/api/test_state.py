"""A session's whole state exported, imported and exported again, byte for byte; a bad document is refused whole."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sendkit_mock import ManualClock, Settings, create_mock
from sendkit_mock.delivery.senders import RecordingSender
from sendkit_mock.session.snapshot import StateFileError

from ..conftest import SEED_BODY, START, ws

HOOK = {"name": "ready", "url": "http://127.0.0.1:9/hooks", "events": ["report.ready"], "retryAttempts": 0}


def busy_session(client: Any, mock: Any) -> None:
    """Reports in every status, a new recipient, a webhook with a delivery, an e-mail, a journal."""
    client.post("/__mock/clock", json={"mode": "manual"})
    client.post("/v1/webhooks", json=HOOK, headers=ws())
    client.post("/v1/reports/recipients", json={"name": "Ada", "email": "ada@example.com", "schedule": {
        "enabled": True, "frequency": "daily", "timezone": "Europe/Berlin"}}, headers=ws())
    client.post("/v1/reports", json={**SEED_BODY, "recipientIds": ["666f1a2b3c4d5e6f7a8b9c20"]}, headers=ws())
    client.post("/__mock/clock", json={"advance": 5})
    client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())  # still queued
    failed = client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).json()["data"]["reports"]
    client.put(f"/__mock/reports/{failed[0]['id']}/status", json={"status": "failed"})
    client.post("/v1/reports", json={"reportType": "campaign"}, headers=ws())  # a 400 in the journal


def test_export_import_export_gives_the_same_bytes_and_the_same_answers() -> None:
    mock = create_mock(Settings(), clock=ManualClock(START), sender=RecordingSender())
    with mock.app.test_client() as client:
        busy_session(client, mock)
        exported = client.get("/__mock/state")
        assert exported.status_code == 200
        document = exported.json()["data"]
        assert {len(document[k]) for k in ("reports", "webhooks", "outbox", "attempts")} >= {1}
        assert [r["timeline"]["outcome"] for r in document["reports"]].count("failed") == 1
        imported = client.put("/__mock/state", json=document, headers={"X-Mock-Session": "copy"})
        assert imported.status_code == 200
        again = client.get("/__mock/state", headers={"X-Mock-Session": "copy"})
        assert json.loads(again.content)["data"] == {**document, "session": "copy"}
        assert again.content == exported.content.replace(b'"session":"default"', b'"session":"copy"')
        for path in ("/v1/reports", "/v1/reports/recipients", "/v1/webhooks", "/__mock/outbox"):
            assert client.get(path, headers=ws(**{"X-Mock-Session": "copy"})).json() == \
                client.get(path, headers=ws()).json(), path
        # both go on alike: the same next ids, the same transitions as the clock moves
        for name in ("default", "copy"):
            client.post("/__mock/clock", json={"advance": 10}, headers={"X-Mock-Session": name})
        new = [client.post("/v1/reports", json=SEED_BODY, headers=ws(**{"X-Mock-Session": n})).json() for n in
               ("default", "copy")]
        assert new[0] == new[1]
        assert client.get("/v1/reports?limit=100", headers=ws(**{"X-Mock-Session": "copy"})).json() == \
            client.get("/v1/reports?limit=100", headers=ws()).json()


def test_what_a_get_answers_the_put_takes_and_the_journal_comes_only_when_asked() -> None:
    mock = create_mock(Settings(), clock=ManualClock(START), sender=RecordingSender())
    with mock.app.test_client() as client:
        busy_session(client, mock)
        answer = client.get("/__mock/state")
        assert "journal" not in answer.json()["data"]
        full = client.get("/__mock/state?journal=true").json()["data"]
        assert len(full["journal"]) >= 6 and len(answer.content) < len(json.dumps(full, separators=(",", ":")))
        copy_session = {"X-Mock-Session": "copy", "Content-Type": "application/json"}
        copied = client.put("/__mock/state", content=answer.content, headers=copy_session)  # as it came
        assert copied.status_code == 200, copied.json()
        assert copied.json()["data"] == {**answer.json()["data"], "session": "copy"}
        journaled = client.put("/__mock/state?journal=true", json={"success": True, "data": full},
                               headers={"X-Mock-Session": "again"})
        assert journaled.status_code == 200 and journaled.json()["data"]["journal"] == full["journal"]
        broken = copy.deepcopy(answer.json())
        del broken["data"]["version"]
        refused = client.put("/__mock/state", json=broken, headers={"X-Mock-Session": "copy"})
        assert refused.status_code == 400 and refused.json()["details"] == [
            {"field": "data.version", "message": "Is required"}]


def test_a_bad_document_is_a_400_naming_each_entry_and_the_old_state_stays() -> None:
    mock = create_mock(Settings(), clock=ManualClock(START), sender=RecordingSender())
    with mock.app.test_client() as client:
        busy_session(client, mock)
        before = client.get("/__mock/state").content
        document = copy.deepcopy(json.loads(before)["data"])
        document["reports"][0]["timeline"]["finishes"] = "yesterday"
        document["recipients"][1]["schedule"]["timezone"] = "Mars/Olympus"
        del document["webhooks"][0]["secret"]
        refused = client.put("/__mock/state", json=document)
        assert refused.status_code == 400
        fields = [d["field"] for d in refused.json()["details"]]
        assert fields == ["reports[0]", "recipients[1]", "webhooks[0]"], refused.json()
        assert client.get("/__mock/state").content == before
        wrong = client.put("/__mock/state", json={**document, "version": 2})
        assert wrong.status_code == 400 and wrong.json()["details"][0]["field"] == "version"


def test_what_waits_for_the_clock_travels_with_the_document() -> None:
    """A report not yet announced and a webhook retry not yet made are made, once, by the imported session."""
    sender = RecordingSender(statuses=(500, 200))
    mock = create_mock(Settings(webhook_backoff_seconds=30), clock=ManualClock(START), sender=sender)
    copy_session = {"X-Mock-Session": "copy"}
    with mock.app.test_client() as client:
        client.post("/__mock/clock", json={"mode": "manual"})
        client.post("/v1/webhooks", json={**HOOK, "retryAttempts": 2}, headers=ws())
        client.post("/v1/reports", json=SEED_BODY, headers=ws())
        client.post("/__mock/clock", json={"advance": 20})  # both ready: one event's first attempt fails (500)
        running = client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).json()
        document = client.get("/__mock/state").json()["data"]
        pending = document["pending"]
        assert [d["attempt"] for d in pending["deliveries"]] == [2]
        assert [a["reportId"] for a in pending["announcements"]] == [running["data"]["reports"][0]["id"]]
        assert client.put("/__mock/state", json=document, headers=copy_session).status_code == 200
        calls = len(sender.calls)
        client.post("/__mock/clock", json={"advance": 60}, headers=copy_session)
        retried = [c for c in sender.calls[calls:] if c.headers["X-Webhook-Delivery"] ==
                   pending["deliveries"][0]["deliveryId"]]
        assert len(retried) == 1  # the retry waited in the document and went out from the copy
        attempts = client.get("/__mock/webhook-deliveries", headers=ws(**copy_session)).json()["data"]
        assert [a["attempt"] for a in attempts if a["deliveryId"] == retried[0].headers["X-Webhook-Delivery"]] \
            == [2, 1]  # newest first
        events = [json.loads(c.body) for c in sender.calls[calls:]]
        assert [e["data"]["id"] for e in events if e["event"] == "report.ready"].count(
            running["data"]["reports"][0]["id"]) == 1  # announced by the copy once it finished
        assert client.get("/__mock/state", headers=copy_session).json()["data"]["pending"] == \
            {"announcements": [], "deliveries": []}


def test_a_bad_pending_entry_is_named_over_http_and_in_a_state_file(tmp_path: Path) -> None:
    mock = create_mock(Settings(), clock=ManualClock(START), sender=RecordingSender())
    with mock.app.test_client() as client:
        document = client.get("/__mock/state").json()["data"]
        document["pending"]["deliveries"] = [{"due": "2026-04-17T10:00:00.000000Z", "deliveryId": "x"}]
        refused = client.put("/__mock/state", json=document)
        assert refused.status_code == 400
        fields = {d["field"] for d in refused.json()["details"]}
        assert "pending.deliveries[0].deliveryId" in fields and all(
            f.startswith("pending.deliveries[0]") for f in fields), fields
    state = tmp_path / "state.json"
    state.write_text(json.dumps(document))
    with pytest.raises(StateFileError, match=r"pending\.deliveries\[0\]: Missing field 'attempt'"):
        create_mock(Settings(state=state), clock=ManualClock(START))


def test_a_finished_report_replaced_by_a_state_document_answers_as_the_new_one() -> None:
    """A finished report's answer is kept for the next poll; a report loaded under the same id is another one."""
    mock = create_mock(Settings(), clock=ManualClock(START), sender=RecordingSender())
    with mock.app.test_client() as client:
        created = client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).json()
        report_id = created["data"]["reports"][0]["id"]
        client.post("/__mock/clock", json={"advance": 10})
        ready = client.get(f"/v1/reports/{report_id}", headers=ws()).json()["data"]
        assert ready["status"] == "ready" and client.get(f"/v1/reports/{report_id}", headers=ws()).json()["data"] == ready
        document = client.get("/__mock/state").json()["data"]
        document["reports"][0]["timeline"] |= {"outcome": "failed", "error": {"code": "X", "message": "from the file"}}
        document["reports"][0]["title"] = "Loaded"
        assert client.put("/__mock/state", json=document).status_code == 200
        loaded = client.get(f"/v1/reports/{report_id}", headers=ws()).json()["data"]
        assert (loaded["status"], loaded["title"], loaded["data"]) == ("failed", "Loaded", None)
        assert loaded["error"] == {"code": "X", "message": "from the file"}
        listed = client.get("/v1/reports", headers=ws()).json()["data"]
        assert [(r["id"], r["status"], r["title"]) for r in listed] == [(report_id, "failed", "Loaded")]


def test_what_the_session_could_not_serve_is_refused_naming_each_entry_and_nothing_changes(client: Any) -> None:
    """A period in year 1 was taken, then every read of that report was a 500; a counter lowered below the
    ids it handed out made a second record with an id neither GET nor DELETE could reach."""
    rid = client.post("/v1/reports", json=SEED_BODY, headers=ws()).json()["data"]["reports"][0]["id"]
    state = client.get("/__mock/state").json()["data"]
    year_one = copy.deepcopy(state)
    year_one["reports"][0]["period"]["start"] = "0001-01-01T00:00:00.000000Z"
    counters_back = copy.deepcopy(state)
    counters_back["ids"]["reports"] = 0
    far_clock = copy.deepcopy(state)
    far_clock["clock"]["offsetSeconds"] = 1e15
    answers = [client.put("/__mock/state", json=document) for document in (year_one, counters_back, far_clock)]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert answers[0].json()["details"][0]["field"] == "reports[0]"
    assert "0001-01-01" in answers[0].json()["details"][0]["message"]
    assert {d["field"] for d in answers[1].json()["details"]} >= {"reports[0]"}
    assert "ids.reports must be at least" in answers[1].json()["details"][0]["message"]
    assert answers[2].json()["details"][0]["field"] == "clock"
    assert "offsetSeconds a number within ±4,000,000,000" in answers[2].json()["details"][0]["message"]
    after = client.get("/__mock/state").json()["data"]
    assert after["reports"] == state["reports"] and after["ids"]["reports"] == state["ids"]["reports"]
    assert client.get(f"/v1/reports/{rid}", headers=ws()).status_code == 200  # the old state stays


def test_a_record_its_schema_refuses_is_a_400_naming_the_field_not_a_500_on_every_read(client: Any) -> None:
    """A recipient imported without an e-mail was taken, then every list of recipients answered 500."""
    state = client.get("/__mock/state").json()["data"]
    spoiled = copy.deepcopy(state)
    spoiled["recipients"][0]["email"] = None
    spoiled["recipients"][1]["totalReportsSent"] = -1
    refused = client.put("/__mock/state", json=spoiled)
    assert refused.status_code == 400
    assert {d["field"] for d in refused.json()["details"]} == {"recipients[0].email", "recipients[1].totalReportsSent"}
    assert client.get("/v1/reports/recipients", headers=ws()).status_code == 200


def test_integers_past_jsons_exact_range_and_webhook_bounds_are_refused_naming_each(client: Any) -> None:
    """10**20 was taken, then reached the answer as the float 1e+20 and every list was a 500; a webhook's
    retryAttempts of 10**6 overflowed the retry's back-off."""
    made = client.post("/v1/webhooks", json={"name": "w", "url": "http://127.0.0.1:9/w", "events": ["report.ready"]},
                       headers=ws())
    assert made.status_code == 201, made.text
    state = client.get("/__mock/state").json()["data"]
    spoiled = copy.deepcopy(state)
    spoiled["recipients"][0]["totalReportsSent"] = 10**20
    spoiled["recipients"][1]["email"] = spoiled["recipients"][0]["email"].upper()  # a 409 through the API
    spoiled["webhooks"][0]["retryAttempts"] = 10**6
    spoiled["webhooks"][0]["timeoutMs"] = 10**12
    refused = client.put("/__mock/state", json=spoiled)
    assert refused.status_code == 400
    assert {d["field"] for d in refused.json()["details"]} >= {
        "recipients[0].totalReportsSent", "recipients[1].email", "webhooks[0].retryAttempts", "webhooks[0].timeoutMs"}


def test_the_clock_stops_before_2100_so_today_stays_a_period_the_api_can_show(client: Any) -> None:
    assert client.post("/__mock/clock", json={"set": "2099-12-31T23:59:59Z"}).status_code == 200
    assert client.post("/__mock/clock", json={"advance": 1}).status_code == 409
    assert client.post("/__mock/clock", json={"set": "2099-12-31T23:59:59-23:59"}).status_code == 409
    rid = client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).json()["data"]["reports"][0]["id"]
    assert client.get(f"/v1/reports/{rid}", headers=ws()).json()["data"]["periodEnd"] == "2099-12-31"
    state = client.get("/__mock/state").json()["data"]
    assert client.put("/__mock/state", json=state).status_code == 200  # its own export is taken back


def test_a_session_imported_at_the_largest_count_goes_on_and_still_exports(client: Any) -> None:
    state = client.get("/__mock/state").json()["data"]
    state["ids"]["reports"] = 1_000_000_000
    assert client.put("/__mock/state", json=state).status_code == 200
    assert client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).status_code == 201
    exported = client.get("/__mock/state")
    assert exported.status_code == 200 and exported.json()["data"]["ids"]["reports"] == 1_000_000_001
