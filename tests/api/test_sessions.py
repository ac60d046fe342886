"""Sessions and the control plane's reset and clock, through HTTP: each session a world of its own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sendkit_mock import ManualClock, Settings, create_mock
from sendkit_mock.delivery.senders import RecordingSender
from sendkit_mock.domain.stores import SessionStores
from sendkit_mock.stores.memory import InMemoryStores

from ..conftest import SEED_BODY, START, ws

HOOK = {"name": "ready", "url": "http://127.0.0.1:9/hooks", "events": ["report.ready"]}


def session(name: str, **extra: str) -> dict[str, str]:
    return ws(**{"X-Mock-Session": name, **extra})


def ids(response: Any) -> list[str]:
    return [r["id"] for r in response.json()["data"]["reports"]]


def test_two_fresh_sessions_give_the_same_ids_and_never_see_each_other(client: Any) -> None:
    a1 = client.post("/v1/reports", json=SEED_BODY, headers=session("alice"))
    b1 = client.post("/v1/reports", json=SEED_BODY, headers=session("bob"))
    a2 = client.post("/v1/reports", json={"reportType": "workspace"}, headers=session("alice"))
    assert ids(a1) == ids(b1)  # the same requests in two fresh sessions, interleaved
    alice = client.get("/v1/reports", headers=session("alice")).json()
    bob = client.get("/v1/reports", headers=session("bob")).json()
    assert alice["pagination"]["total"] == 3 and bob["pagination"]["total"] == 2
    assert client.get(f"/v1/reports/{ids(a2)[0]}", headers=session("bob")).status_code == 404
    assert client.get("/v1/reports", headers=ws()).json()["pagination"]["total"] == 0  # default: untouched
    client.post("/v1/webhooks", json=HOOK, headers=session("alice"))
    assert client.get("/v1/webhooks", headers=session("bob")).json()["pagination"]["total"] == 0


def test_a_browser_picks_its_session_by_cookie_or_query(client: Any) -> None:
    created = client.post("/v1/reports", json={"reportType": "workspace"}, headers=session("tab-1"))
    rid = ids(created)[0]
    assert client.get(f"/v1/reports/{rid}?__session=tab-1", headers=ws()).status_code == 200
    assert client.get(f"/v1/reports/{rid}", headers=ws(Cookie="sendkit_mock_session=tab-1")).status_code == 200
    assert client.get(f"/v1/reports/{rid}", headers=ws()).status_code == 404


@pytest.mark.parametrize("where", ["header", "query"])
def test_a_bad_session_name_is_400_naming_the_header(client: Any, where: str) -> None:
    bad = "no spaces/or slashes"
    headers, query = (session(bad), "") if where == "header" else (ws(), "?__session=" + "x" * 65)
    response = client.get("/v1/reports" + query, headers=headers)
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "X-Mock-Session"


def test_reset_restores_the_fixtures_and_the_id_sequences(client: Any) -> None:
    first = ids(client.post("/v1/reports", json=SEED_BODY, headers=session("ci")))
    client.post("/v1/webhooks", json=HOOK, headers=session("ci"))
    client.delete("/v1/reports/recipients/666f1a2b3c4d5e6f7a8b9c20", headers=session("ci"))
    reset = client.post("/__mock/reset", headers={"X-Mock-Session": "ci"})  # no API key needed
    assert reset.status_code == 200 and reset.json() == {"success": True, "data": {"session": "ci", "reset": True}}
    assert client.get("/v1/reports", headers=session("ci")).json()["pagination"]["total"] == 0
    assert client.get("/v1/webhooks", headers=session("ci")).json()["pagination"]["total"] == 0
    assert client.get("/v1/reports/recipients/666f1a2b3c4d5e6f7a8b9c20", headers=session("ci")).status_code == 200
    assert ids(client.post("/v1/reports", json=SEED_BODY, headers=session("ci"))) == first


def test_advancing_the_clock_runs_what_fell_due_before_it_answers() -> None:
    sender = RecordingSender()
    mock = create_mock(Settings(), clock=ManualClock(START), sender=sender)
    with mock.app.test_client() as client:
        client.post("/v1/webhooks", json=HOOK, headers=session("t"))
        rid = ids(client.post("/v1/reports", json=SEED_BODY, headers=session("t")))[0]
        assert client.get("/__mock/clock", headers={"X-Mock-Session": "t"}).json()["data"] == {
            "session": "t", "now": "2026-04-17T10:00:00.000Z", "mode": "real"}
        moved = client.post("/__mock/clock", json={"advance": 5}, headers={"X-Mock-Session": "t"})
        assert moved.status_code == 200 and moved.json()["data"]["now"] == "2026-04-17T10:00:05.000Z"
        assert [c.headers["X-Webhook-Event"] for c in sender.calls] == ["report.ready"] * 2  # sent already
        assert client.get(f"/v1/reports/{rid}", headers=session("t")).json()["data"]["status"] == "ready"
        assert client.get(f"/v1/reports/{rid}", headers=session("u")).status_code == 404
        other = client.get("/__mock/clock", headers={"X-Mock-Session": "u"}).json()["data"]["now"]
        assert other == "2026-04-17T10:00:00.000Z"  # another session's time did not move


def test_time_never_moves_backwards(client: Any) -> None:
    negative = client.post("/__mock/clock", json={"advance": -1})
    assert negative.status_code == 400 and negative.json()["details"][0]["field"] == "advance"
    earlier = client.post("/__mock/clock", json={"set": "2026-04-17T09:59:59Z"})
    assert earlier.status_code == 409 and earlier.json()["details"][0]["field"] == "set"  # the session's state
    assert "2026-04-17T10:00:00.000Z" in earlier.json()["details"][0]["message"]  # says the clock's time
    later = client.post("/__mock/clock", json={"set": "2026-05-01T00:00:00+02:00"})
    assert later.json()["data"]["now"] == "2026-04-30T22:00:00.000Z"
    two = client.post("/__mock/clock", json={"advance": 1, "mode": "manual"})
    assert two.status_code == 400


def test_a_manual_clock_stands_still_until_moved(mock: Any, client: Any) -> None:
    client.post("/__mock/clock", json={"mode": "manual"})
    mock.clock.advance(60)  # the system clock goes on
    assert client.get("/__mock/clock").json()["data"] == {"session": "default", "now": "2026-04-17T10:00:00.000Z",
                                                          "mode": "manual"}
    back = client.post("/__mock/clock", json={"mode": "real"}).json()["data"]
    mock.clock.advance(60)
    assert back["now"] == "2026-04-17T10:00:00.000Z"
    assert client.get("/__mock/clock").json()["data"]["now"] == "2026-04-17T10:01:00.000Z"  # on from where it was


def test_serve_clock_manual_starts_every_session_frozen() -> None:
    mock = create_mock(Settings(clock_mode="manual"), clock=ManualClock(START))
    with mock.app.test_client() as client:
        rid = ids(client.post("/v1/reports", json=SEED_BODY, headers=session("ci")))[0]
        mock.advance(60)
        assert client.get(f"/v1/reports/{rid}", headers=session("ci")).json()["data"]["status"] == "queued"
        client.post("/__mock/clock", json={"advance": 5}, headers={"X-Mock-Session": "ci"})
        assert client.get(f"/v1/reports/{rid}", headers=session("ci")).json()["data"]["status"] == "ready"


def test_past_the_cap_the_least_recently_used_session_goes() -> None:
    mock = create_mock(Settings(max_sessions=3), clock=ManualClock(START))
    with mock.app.test_client() as client:
        for name in ("a", "b", "a", "c"):  # default, a, b; then c drops b, the least recently used
            client.post("/v1/reports", json={"reportType": "workspace"}, headers=session(name))
        client.get("/v1/reports", headers=ws())
        assert [s.name for s in mock.sessions.all()] == ["a", "c", "default"]
        assert client.get("/v1/reports", headers=session("a")).json()["pagination"]["total"] == 2
        assert client.get("/v1/reports", headers=session("b")).json()["pagination"]["total"] == 0  # b began anew


def test_a_forced_failure_fires_report_failed_and_emails_nobody() -> None:
    sender = RecordingSender()
    mock = create_mock(Settings(), clock=ManualClock(START), sender=sender)
    with mock.app.test_client() as client:
        client.post("/v1/webhooks", json={**HOOK, "events": ["report.ready", "report.failed"]}, headers=ws())
        body = {"reportType": "workspace", "recipientIds": ["666f1a2b3c4d5e6f7a8b9c21"]}
        rid = ids(client.post("/v1/reports", json=body, headers=ws()))[0]
        error = {"code": "DATA_SOURCE_UNAVAILABLE", "message": "The analytics store is down."}
        forced = client.put(f"/__mock/reports/{rid}/status", json={"status": "failed", "error": error})
        assert forced.status_code == 200
        report = forced.json()["data"]
        assert (report["status"], report["error"], report["data"]) == ("failed", error, None)
        assert report["completedAt"] == report["startedAt"] == "2026-04-17T10:00:00.000Z"
        assert [c.headers["X-Webhook-Event"] for c in sender.calls] == ["report.failed"]  # before the answer
        mock.advance(10)  # its natural finish passes: nothing is announced twice, no e-mail goes out
        assert len(sender.calls) == 1 and client.get("/__mock/outbox", headers=ws()).json()["data"] == []
        again = client.put(f"/__mock/reports/{rid}/status", json={"status": "ready"})
        assert again.status_code == 409 and again.json()["details"][0]["field"] == "status"


def test_a_forced_ready_report_has_its_content_and_is_emailed() -> None:
    mock = create_mock(Settings(), clock=ManualClock(START), sender=RecordingSender())
    with mock.app.test_client() as client:
        body = {**SEED_BODY, "campaignIds": SEED_BODY["campaignIds"][:1], "recipientIds": ["666f1a2b3c4d5e6f7a8b9c20"]}
        rid = ids(client.post("/v1/reports", json=body, headers=ws()))[0]
        held = client.put(f"/__mock/reports/{rid}/status", json={"status": "processing"}).json()["data"]
        mock.advance(3600)
        assert held["status"] == "processing"
        assert client.get(f"/v1/reports/{rid}", headers=ws()).json()["data"]["status"] == "processing"  # held
        ready = client.put(f"/__mock/reports/{rid}/status", json={"status": "ready"}).json()["data"]
        assert ready["status"] == "ready" and ready["data"]["executiveSummary"]["totals"]["sent"] > 0
        outbox = client.get("/__mock/outbox", headers=ws()).json()["data"]
        assert [e["reportId"] for e in outbox] == [rid]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"status": "ready", "error": {"code": "X", "message": "y"}}, 400, "error"),
    ({"status": "queued"}, 400, "status"),
    ({"status": "failed", "error": {"code": "X"}}, 400, "error.message"),
])
def test_a_bad_forced_status_names_its_field(client: Any, body: dict[str, Any], status: int, field: str) -> None:
    rid = ids(client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()))[0]
    response = client.put(f"/__mock/reports/{rid}/status", json=body)
    assert response.status_code == status and response.json()["details"][0]["field"] == field


def test_forcing_a_report_of_another_session_is_404(client: Any) -> None:
    rid = ids(client.post("/v1/reports", json={"reportType": "workspace"}, headers=session("a")))[0]
    response = client.put(f"/__mock/reports/{rid}/status", json={"status": "ready"}, headers={"X-Mock-Session": "b"})
    assert response.status_code == 404 and response.json()["details"][0]["field"] == "id"


def test_with_an_admin_token_every_control_call_needs_it() -> None:
    mock = create_mock(Settings(admin_token="s3cret"), clock=ManualClock(START))
    with mock.app.test_client() as client:
        for call in (lambda h: client.post("/__mock/reset", headers=h), lambda h: client.get("/__mock/clock", headers=h),
                     lambda h: client.get("/__mock/outbox", headers={**ws(), **h})):
            refused = call({})
            assert refused.status_code == 401 and refused.json()["error"] == "Unauthorized"
            assert call({"X-Mock-Admin-Token": "wrong"}).status_code == 401
            assert call({"X-Mock-Admin-Token": "s3cret"}).status_code == 200
        assert client.get("/v1/reports", headers=ws()).status_code == 200  # the API itself is as before


def test_the_admin_token_setting_comes_from_the_environment_too() -> None:
    assert Settings.from_env({"SENDKIT_MOCK_ADMIN_TOKEN": "t"}).admin_token == "t"


def test_the_ticker_runs_for_the_servers_lifespan_only() -> None:
    mock = create_mock(Settings(tick_seconds=0.01), clock=ManualClock(START), background=True)
    assert not mock.background.running
    with mock.app.test_client() as client:  # the test client runs the ASGI lifespan, as uvicorn does
        assert mock.background.running
        assert client.get("/__mock/clock").status_code == 200
    assert not mock.background.running


class OneSession:
    """A stores factory handing every session the same stores (one process's; no directory)."""

    directory = None

    def __init__(self, stores: SessionStores) -> None:
        self.stores = stores

    def __call__(self, session: str, *, fresh: bool = True) -> SessionStores:
        return self.stores


def test_every_piece_of_a_sessions_state_lives_in_its_stores() -> None:
    """Two mocks over one session's stores (what workers over a shared store will be) serve one world:
    records, ids, the journal, and background work done once whichever of them ticks."""
    clock, sender = ManualClock(START), RecordingSender()
    shared = InMemoryStores()("default")
    first, second = (create_mock(Settings(), clock=clock, sender=sender, stores=OneSession(shared))
                     for _ in range(2))
    with first.app.test_client() as one, second.app.test_client() as other:
        other.post("/v1/webhooks", json=HOOK, headers=ws())
        made = one.post("/v1/reports", json=SEED_BODY, headers=ws())
        then = other.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
        alone_ids = ids(create_mock(Settings(), clock=ManualClock(START)).app.test_client()
                        .post("/v1/reports", json=SEED_BODY, headers=ws()))
        assert ids(made) == alone_ids and len(set(ids(made) + ids(then))) == 3  # one id sequence, no collision
        assert other.get(f"/v1/reports/{ids(made)[0]}", headers=ws()).status_code == 200
        assert [r["id"] for r in one.get("/v1/reports", headers=ws()).json()["data"]] == \
            list(reversed(ids(made) + ids(then)))
        alone = create_mock(Settings(), clock=ManualClock(START)).app.test_client()
        assert one.get("/v1/reports/recipients", headers=ws()).json() == \
            alone.get("/v1/reports/recipients", headers=ws()).json()  # the fixtures once, not once per mock
        clock.advance(60)
        first.tick(), second.tick(), first.tick()
        ready = [c for c in sender.calls if json.loads(c.body)["event"] == "report.ready"]
        assert sorted(json.loads(c.body)["data"]["id"] for c in ready) == sorted(ids(made) + ids(then))
        journal = other.get("/__mock/requests?limit=100").json()["data"]
        assert [e["method"] for e in journal].count("POST") == 3  # both mocks' requests, in one journal


def test_a_boolean_setting_from_the_environment() -> None:
    from sendkit_mock.settings import SettingsError

    assert Settings.from_env({"SENDKIT_MOCK_ACCESS_LOG": "off"}).access_log is False
    assert Settings.from_env({}).access_log is True
    with pytest.raises(SettingsError, match="SENDKIT_MOCK_ACCESS_LOG='maybe'"):
        Settings.from_env({"SENDKIT_MOCK_ACCESS_LOG": "maybe"})


def test_the_real_time_ticker_runs_only_sessions_with_something_due(client: Any, mock: Any) -> None:
    """Idle sessions cost the ticker a look each, not a tick (on both stores)."""
    client.post("/v1/reports", json=SEED_BODY, headers=session("busy"))
    for n in range(20):
        client.get("/v1/reports", headers=session(f"idle{n}"))
    assert mock.sessions.ticking(mock.clock.now()) == []
    mock.clock.advance(5)
    assert [s.name for s in mock.sessions.ticking(mock.clock.now())] == ["busy"]
    mock.session("busy").tick()
    assert mock.sessions.ticking(mock.clock.now()) == []
