"""A request whose key is refused touches no session: it makes none, moves none in the LRU order, keeps none
alive and counts in no rate-limit window (issue 26: 1,000 such requests evicted a real session; 10,001 with
made-up keys reset a real key's window). Both stores."""

from __future__ import annotations

from typing import Any

import pytest

from sendkit_mock import Mock, Settings

from ..conftest import SEED_BODY, ws

NO_KEY: dict[str, str] = {}
MADE_UP = "sk_" + "0" * 48


@pytest.fixture
def settings() -> Settings:
    return Settings(seed=42, queued_seconds=1.0, processing_seconds=3.0, max_sessions=4, rate_limit="3/h")


def refused(client: Any, session: str, key: str | None) -> Any:
    headers = {"X-Mock-Session": session, **({"X-Api-Key": key} if key else {})}
    return client.get("/v1/reports", headers=headers)


def names(client: Any) -> list[str]:
    found: list[str] = client.get("/__mock/server").json()["data"]["sessions"]
    return found


@pytest.mark.parametrize("key", [None, MADE_UP], ids=["no key", "a made-up key"])
def test_refused_requests_make_no_session_and_evict_none(client: Any, mock: Mock, key: str | None) -> None:
    created = client.post("/v1/reports", json=SEED_BODY, headers=ws(**{"X-Mock-Session": "victim"}))
    report = created.json()["data"]["reports"][0]["id"]
    for n in range(40):  # ten times the cap of 4 sessions
        answer = refused(client, f"attacker-{n}", key)
        assert answer.status_code == 401 and answer.json()["code"] == 401
        assert "x-ratelimit-remaining" not in answer.headers
    mock.sessions.expire()  # a shared store drops what is over its cap here
    assert names(client) == ["default", "victim"]
    again = client.get(f"/v1/reports/{report}", headers=ws(**{"X-Mock-Session": "victim"}))
    assert again.status_code == 200


def test_a_refused_request_does_not_keep_its_session_in_use(client: Any, mock: Mock) -> None:
    for name in ("default", "old", "young"):
        client.get("/v1/reports", headers=ws(**{"X-Mock-Session": name}))
    for _ in range(5):  # refused requests naming `old` would make it the most recently used
        assert refused(client, "old", MADE_UP).status_code == 401
    for name in ("a", "b"):  # a fifth session, over the cap of 4, drops the least recently used
        client.get("/v1/reports", headers=ws(**{"X-Mock-Session": name}))
    mock.sessions.expire()
    assert names(client) == ["default", "a", "b", "young"]


def test_a_refused_request_counts_in_no_rate_limit_window(client: Any) -> None:
    for remaining in ("2", "1", "0"):
        answer = client.get("/v1/reports", headers=ws())
        assert answer.headers["x-ratelimit-remaining"] == remaining
    for n in range(200):  # made-up keys, each a window of its own were it counted
        assert refused(client, "default", f"sk_{n:048d}").status_code == 401
    over = client.get("/v1/reports", headers=ws())
    assert over.status_code == 429 and int(over.headers["retry-after"]) > 0


def test_a_refused_request_is_journaled_in_a_session_that_is_there(client: Any) -> None:
    client.get("/v1/reports", headers=ws(**{"X-Mock-Session": "mine"}))
    assert refused(client, "mine", None).status_code == 401  # the client forgot its key: the journal says so
    assert refused(client, "nobody", None).status_code == 401
    statuses = [e["status"] for e in client.get("/__mock/requests", headers={"X-Mock-Session": "mine"})
                .json()["data"]]
    assert sorted(statuses) == [200, 401]
    assert "nobody" not in names(client)
