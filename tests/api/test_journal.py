"""The request journal through HTTP: what a client sent, what broke the contract, and verification by matcher."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sendkit_mock import ManualClock, Settings, create_mock

from ..conftest import SEED_BODY, START, WS_KEY, ws


def journal(client: Any, query: str = "", session: str | None = None) -> dict[str, Any]:
    headers = {"X-Mock-Session": session} if session else {}
    response = client.get("/__mock/requests" + query, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_an_invalid_request_is_journaled_with_its_violations_and_no_whole_key(client: Any) -> None:
    client.post("/v1/reports", json={"reportType": "campaign", "sections": {"mailboxHealth": "no"}}, headers=ws())
    (entry,) = journal(client)["data"]
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", "/v1/reports", 400)
    assert entry["body"] == {"reportType": "campaign", "sections": {"mailboxHealth": "no"}}
    assert {(v["field"], v["message"]) for v in entry["violations"]} == {
        ("sections.mailboxHealth", "Must be of type boolean"),
        ("campaignIds", "Required for campaign reports: 1 to 10 campaign ids")}
    assert entry["headers"]["x-api-key"] == "…" + WS_KEY[-4:]
    assert entry["at"] == "2026-04-17T10:00:00.000Z" and entry["durationMs"] >= 0


def test_a_valid_request_has_no_violations_and_a_text_body_stays_text(client: Any) -> None:
    client.post("/v1/reports", json=SEED_BODY, headers=ws())
    client.post("/v1/reports", content=b"not json", headers=ws(**{"Content-Type": "text/plain"}))
    text, valid = journal(client)["data"]  # newest first
    assert valid["status"] == 201 and valid["violations"] == [] and valid["body"] == SEED_BODY
    assert text["status"] == 415 and text["body"] == "not json" and text["violations"][0]["field"] == "body"


def test_the_control_plane_and_the_docs_are_not_journaled(client: Any) -> None:
    client.get("/openapi.json")
    client.post("/__mock/clock", json={"advance": 1})
    client.get("/v1/reports?status=ready", headers=ws())
    assert [(e["path"], e["query"]) for e in journal(client)["data"]] == [("/v1/reports", {"status": "ready"})]


def test_the_journal_pages_filters_clears_and_belongs_to_its_session(client: Any) -> None:
    for _ in range(3):
        client.get("/v1/reports", headers=ws())
    client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
    client.get("/v1/reports", headers=ws(**{"X-Mock-Session": "other"}))
    first = journal(client, "?limit=2&method=GET")
    assert first["pagination"]["total"] == 3 and first["pagination"]["hasMore"]
    rest = journal(client, f"?limit=2&method=GET&cursor={first['pagination']['nextCursor']}")
    assert len(rest["data"]) == 1 and not rest["pagination"]["hasMore"]
    assert journal(client, "?status=201")["pagination"]["total"] == 1
    assert journal(client, session="other")["pagination"]["total"] == 1
    assert client.delete("/__mock/requests").json()["data"] == {"cleared": True}
    assert journal(client)["data"] == [] and journal(client, session="other")["pagination"]["total"] == 1


def test_count_matches_method_path_query_headers_and_body_subsets(client: Any) -> None:
    client.post("/v1/reports", json=SEED_BODY, headers=ws())
    client.get("/v1/reports?reportType=campaign", headers=ws())

    def count(matcher: dict[str, Any]) -> int:
        response = client.post("/__mock/requests/count", json=matcher)
        assert response.status_code == 200, response.text
        return int(response.json()["data"]["count"])

    assert count({}) == 2
    assert count({"method": "POST", "path": "/v1/reports"}) == 1
    assert count({"pathPattern": "/v1/rep.*"}) == 2
    assert count({"query": {"reportType": "campaign"}}) == 1
    assert count({"headers": {"X-API-KEY": WS_KEY}}) == 2  # the whole key, masked before it is compared
    assert count({"bodyContains": {"campaignIds": [SEED_BODY["campaignIds"][1]],
                                   "sections": {"mailboxHealth": False}}}) == 1
    assert count({"bodyContains": {"sections": {"mailboxHealth": 0}}}) == 0  # false is not 0


def test_no_match_shows_the_closest_requests_and_what_each_missed(client: Any) -> None:
    client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
    client.get("/v1/reports", headers=ws())
    client.get("/v1/reports/recipients", headers=ws())
    answer = client.post("/__mock/requests/count", json={"method": "POST", "path": "/v1/reports",
                                                         "bodyContains": {"reportType": "campaign"}}).json()["data"]
    assert answer["count"] == 0
    assert [(m["request"]["method"], m["request"]["path"], m["missed"]) for m in answer["nearMisses"]] == [
        ("POST", "/v1/reports", ["bodyContains"]),
        ("GET", "/v1/reports", ["method", "bodyContains"]),
        ("GET", "/v1/reports/recipients", ["method", "path", "bodyContains"]),
    ]
    bad = client.post("/__mock/requests/count", json={"pathPattern": "(unclosed"})
    assert bad.status_code == 400 and bad.json()["details"][0]["field"] == "pathPattern"


def test_the_journal_is_capped_and_can_be_turned_off() -> None:
    capped = create_mock(Settings(journal_size=2), clock=ManualClock(START))
    off = create_mock(Settings(journal_size=0), clock=ManualClock(START))
    for mock in (capped, off):
        with mock.app.test_client() as client:
            for limit in (1, 2, 3):
                client.get(f"/v1/reports?limit={limit}", headers=ws())
            kept = [e["query"]["limit"] for e in journal(client)["data"]]
            assert kept == (["3", "2"] if mock is capped else [])


def test_a_backtracking_path_pattern_answers_at_once_and_a_backreference_is_a_400(client: Any) -> None:
    """`(a+)+b` over a 27-character path froze the server for 6.8 s under Python's re (each character
    doubled it); over 60 characters it would never answer. RE2 matches in time linear in the path."""
    client.get("/v1/" + "a" * 60, headers=ws())
    found = client.post("/__mock/requests/count", json={"pathPattern": "/v1/(a+)+b"})
    assert found.status_code == 200 and found.json()["data"]["count"] == 0
    assert client.post("/__mock/requests/count", json={"pathPattern": "/v1/a+"}).json()["data"]["count"] == 1
    refused = client.post("/__mock/requests/count", json={"pathPattern": "/v1/(a)\\1"})
    assert refused.status_code == 400
    assert refused.json()["details"][0]["field"] == "pathPattern"
    assert "backreferences" in refused.json()["details"][0]["message"]


def test_an_entry_keeps_bounded_headers_query_and_body_whatever_was_sent(client: Any) -> None:
    headers = {**ws(), **{f"X-Extra-{i}": "v" * 2_000 for i in range(100)}}
    query = "&".join(f"q{i}={'w' * 800}" for i in range(70))
    client.post(f"/v1/reports?{query}", json={"reportType": "workspace", "title": "x" * 40_000}, headers=headers)
    (entry,) = journal(client)["data"]
    assert len(entry["headers"]) == 64 and len(entry["query"]) == 64
    assert max(len(v) for v in [*entry["headers"].values(), *entry["query"].values()]) <= 1_024 + 30
    assert entry["headers"]["x-api-key"] == "…" + WS_KEY[-4:]
    assert isinstance(entry["body"], str) and entry["body"].endswith("… (cut at 16384 characters)")


def test_a_state_file_journal_is_checked_and_kept_within_the_bounds_of_a_recorded_one(client: Any) -> None:
    client.post("/v1/reports", json=SEED_BODY, headers=ws())
    state = client.get("/__mock/state?journal=true").json()["data"]
    (entry,) = state["journal"]
    state["journal"] = [{**entry, "body": {"title": "y" * 100_000}}, {**entry, "status": "ok"}]
    refused = client.put("/__mock/state", json=state)
    assert refused.status_code == 400
    assert {d["field"] for d in refused.json()["details"]} == {"journal[1].status"}
    state["journal"] = state["journal"][:1]
    assert client.put("/__mock/state", json=state).status_code == 200
    (kept,) = journal(client)["data"]
    assert kept["body"].endswith("… (cut at 16384 characters)") and kept["_id"] == entry["_id"]


def test_entries_keep_their_ids_through_a_state_file_and_new_ones_follow_with_ids_of_their_own(client: Any) -> None:
    for _ in range(3):
        client.get("/v1/reports", headers=ws())
    state = client.get("/__mock/state?journal=true").json()["data"]
    exported = [e["_id"] for e in state["journal"]]
    assert client.post("/__mock/reset").status_code == 200
    assert client.put("/__mock/state", json=state).status_code == 200
    client.post("/v1/reports", json=SEED_BODY, headers=ws())
    client.get("/v1/reports", headers=ws())
    ids = [e["_id"] for e in journal(client)["data"]]
    assert ids[2:] == exported and len(set(ids)) == 5  # newest first: the two new ones, then the imported three
    assert [e["_id"] for e in journal(client, f"?cursor={ids[1]}&limit=2")["data"]] == exported[:2]


def test_no_credential_a_client_sent_is_in_an_exported_state_document(client: Any) -> None:
    """Only X-Api-Key and Authorization were masked; the admin token, cookies and proxy credentials were kept
    whole and exported by GET /__mock/state, the file a bug report attaches."""
    secrets = {"X-Mock-Admin-Token": "admin-token-0123456789", "Cookie": "sendkit_mock_session=default; sid=s3cr3tvalue",
               "Proxy-Authorization": "Basic cHJveHk6cGFzc3dvcmQ=", "Authorization": "Bearer " + WS_KEY}
    client.get("/v1/reports", headers=secrets)
    client.post("/v1/reports", json=SEED_BODY, headers={**secrets, **ws()})
    exported = json.dumps(client.get("/__mock/state?journal=true").json())
    found = [name for name, value in secrets.items() if value.split()[-1][:-4] in exported]
    assert not found, f"exported whole: {found}"
    assert WS_KEY[:-4] not in exported
    entry = journal(client)["data"][0]
    assert entry["headers"]["x-mock-admin-token"] == "…6789" and entry["headers"]["cookie"] == "…alue"


def test_a_request_is_in_the_journal_before_its_answer_has_left(mock: Any, client: Any) -> None:
    """A test that reads the journal right after its client had the answer found it missing now and then: the
    entry was written after the last byte went out, while the app's WSGI thread finished."""
    import asyncio

    client.get("/__mock/server")  # the app started (lifespan) by the test client
    seen_at_last_byte: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            seen_at_last_byte.append(len(mock.session("default").journal.log.all()))

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/v1/reports", "raw_path": b"/v1/reports", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"x-api-key", WS_KEY.encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 4010)}
    asyncio.run(mock.app(scope, receive, send))
    assert seen_at_last_byte == [1]


def test_an_error_a_stub_answered_is_no_violation_of_the_client(client: Any) -> None:
    client.post("/__mock/stubs", json={"method": "POST", "path": "/v1/reports", "status": 400})
    assert client.post("/v1/reports", json=SEED_BODY, headers=ws()).status_code == 400
    (entry,) = journal(client)["data"]
    assert entry["injected"] == "stub:stub-1" and entry["violations"] == []


def test_a_start_up_state_file_whose_entries_name_no_id_gets_them_named_from_their_place(
        client: Any, tmp_path: Path) -> None:
    """The start-up reader takes `_id` as optional (PUT /__mock/state requires it); the journal then answered
    a 500 on the embedded store, reading an entry with no id."""
    for _ in range(3):
        client.get("/v1/reports", headers=ws())
    state = client.get("/__mock/state?journal=true").json()["data"]
    exported = [e.pop("_id") for e in state["journal"]]
    state["journal"][0]["_id"] = None
    (tmp_path / "state.json").write_text(json.dumps(state))
    with create_mock(Settings(state=tmp_path / "state.json"), clock=ManualClock(START)).app.test_client() as loaded:
        answer = loaded.get("/__mock/requests")
        assert answer.status_code == 200, answer.text
        assert [e["_id"] for e in answer.json()["data"]] == exported  # the counter came with the file
        loaded.get("/v1/reports", headers=ws())
        after = [e["_id"] for e in journal(loaded)["data"]]
        assert after[1:] == exported and after[0] not in exported
        assert [e["_id"] for e in journal(loaded, f"?cursor={exported[0]}&limit=1")["data"]] == exported[1:2]
