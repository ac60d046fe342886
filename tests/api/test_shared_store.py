"""What only a shared store must do: two mocks over one Redis (two workers, in one process here) serve one
world; background work happens once; Redis down is a 503 with Retry-After, and the mock recovers by itself.

Every test runs against a real redis-server (tests/redis_server.py). The same through real worker processes
is in tests/e2e/test_workers.py.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from sendkit_mock import ManualClock, Mock, Settings, create_mock
from sendkit_mock.delivery.senders import RecordingSender
from sendkit_mock.errors import StoreUnavailable
from sendkit_mock.stores import redis as shared_store

from ..conftest import SEED_BODY, START, WS_KEY, redis_store_url, ws
from ..redis_server import RedisServer

HOOK = {"name": "ready", "url": "http://127.0.0.1:9/hooks", "events": ["report.ready"]}


def ids(response: Any) -> list[str]:
    assert response.status_code == 201, response.text
    return [r["id"] for r in response.json()["data"]["reports"]]


class Pair:
    """Two mocks over one store URL: what two workers are, sharing one base clock."""

    def __init__(self, url: str, **settings: Any) -> None:
        self.clock, self.sender = ManualClock(START), RecordingSender()
        self.settings = Settings(store=url, **settings)
        self.mocks: list[Mock] = [create_mock(self.settings, clock=self.clock, sender=self.sender) for _ in range(2)]
        self.one, self.other = (m.app.test_client() for m in self.mocks)
        for client in (self.one, self.other):  # connexion builds its stack on the first call: not on two threads
            client.get("/openapi.json")

    def advance(self, seconds: float) -> None:
        """The base clock moves on; both workers tick at once, as their background threads would."""
        self.clock.advance(seconds)
        threads = [threading.Thread(target=m.tick) for m in self.mocks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


@pytest.fixture
def pair(redis_server: RedisServer) -> Pair:
    return Pair(redis_store_url(redis_server))


def test_a_report_made_through_one_worker_is_read_listed_forced_and_deleted_through_the_other(pair: Pair) -> None:
    made = ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws()))
    alone = ids(create_mock(Settings(), clock=ManualClock(START)).app.test_client()
                .post("/v1/reports", json=SEED_BODY, headers=ws()))
    assert made == alone  # the ids one process alone would give
    got = pair.other.get(f"/v1/reports/{made[0]}", headers=ws())
    assert got.status_code == 200 and got.json()["data"]["status"] == "queued"
    assert [r["id"] for r in pair.other.get("/v1/reports", headers=ws()).json()["data"]] == made[::-1]
    forced = pair.other.put(f"/__mock/reports/{made[0]}/status", json={"status": "ready"})
    assert forced.status_code == 200
    assert pair.one.get(f"/v1/reports/{made[0]}", headers=ws()).json()["data"]["status"] == "ready"
    assert pair.other.delete(f"/v1/reports/{made[1]}", headers=ws()).status_code == 200
    assert pair.one.get(f"/v1/reports/{made[1]}", headers=ws()).status_code == 404
    journal = pair.one.get("/__mock/requests").json()["data"]
    # every worker's requests in one journal, newest first: one's 404, the other's DELETE, one's GET
    assert [(e["method"], e["status"]) for e in journal][:3] == [("GET", 404), ("DELETE", 200), ("GET", 200)]


def test_the_clock_a_reset_and_a_state_file_are_the_same_for_every_worker(pair: Pair) -> None:
    made = ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws()))
    pair.other.post("/__mock/clock", json={"advance": 10})
    assert pair.one.get(f"/v1/reports/{made[0]}", headers=ws()).json()["data"]["status"] == "ready"
    assert pair.one.get("/__mock/clock").json() == pair.other.get("/__mock/clock").json()
    state = pair.one.get("/__mock/state").json()["data"]
    assert pair.other.post("/__mock/reset").status_code == 200
    assert pair.one.get("/v1/reports", headers=ws()).json()["pagination"]["total"] == 0
    assert pair.one.put("/__mock/state", json=state).status_code == 200
    assert pair.other.get(f"/v1/reports/{made[0]}", headers=ws()).json()["data"]["status"] == "ready"
    assert len(pair.other.get("/v1/reports/recipients", headers=ws()).json()["data"]) > 0  # fixtures, loaded once


def test_report_ready_is_announced_and_emailed_once_with_both_workers_ticking(pair: Pair) -> None:
    pair.one.post("/v1/webhooks", json=HOOK, headers=ws())
    recipient = pair.one.get("/v1/reports/recipients", headers=ws()).json()["data"][0]["_id"]
    body = {**SEED_BODY, "recipientIds": [recipient]}
    made = [rid for _ in range(5) for rid in ids(pair.other.post("/v1/reports", json=body, headers=ws()))]
    for _ in range(6):
        pair.advance(1)
    delivered = [json.loads(call.body)["data"]["_id"] for call in pair.sender.calls]
    assert sorted(delivered) == sorted(made)  # each report's event once, whichever worker noticed it
    mailed = pair.other.get("/__mock/outbox", headers=ws()).json()["data"]
    assert sorted(e["reportId"] for e in mailed) == sorted(made)  # and its recipient e-mailed once
    got = pair.one.get(f"/v1/reports/recipients/{recipient}", headers=ws()).json()["data"]
    assert got["totalReportsSent"] == len(made)  # each worker's count of the e-mails, on one record


def test_parallel_creates_through_two_workers_lose_no_id_and_repeat_none(pair: Pair) -> None:
    def create(n: int) -> list[str]:
        client = pair.one if n % 2 else pair.other
        return ids(client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()))

    with ThreadPoolExecutor(16) as pool:
        made = [rid for batch in pool.map(create, range(300)) for rid in batch]
    assert len(made) == len(set(made)) == 300
    seen, cursor = [], None
    while True:  # a cursor walk sees every report once
        page = pair.one.get("/v1/reports", params={"limit": 100, **({"cursor": cursor} if cursor else {})},
                            headers=ws()).json()
        seen += [r["id"] for r in page["data"]]
        cursor = page["pagination"]["nextCursor"]
        if not page["pagination"]["hasMore"]:
            break
    assert sorted(seen) == sorted(made) and page["pagination"]["total"] == 300


def test_a_stub_put_through_one_worker_fires_its_times_across_both_and_no_more(pair: Pair) -> None:
    rid = ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws()))[0]
    assert pair.one.post("/__mock/stubs", json={"method": "GET", "path": "/v1/reports/{id}", "status": 503,
                                                "times": 3}).status_code == 201

    def get(n: int) -> int:
        return int((pair.one if n % 2 else pair.other).get(f"/v1/reports/{rid}", headers=ws()).status_code)

    with ThreadPoolExecutor(8) as pool:  # the stub is read with the request's clock, then again under the lock
        statuses = list(pool.map(get, range(16)))
    assert sorted(statuses) == [200] * 13 + [503] * 3
    (listed,) = pair.other.get("/__mock/stubs").json()["data"]
    assert (listed["fired"], listed["remaining"]) == (3, 0)


def test_requests_through_two_workers_each_have_a_journal_entry_of_their_own(pair: Pair) -> None:
    def create(n: int) -> list[str]:
        return ids((pair.one if n % 2 else pair.other).post("/v1/reports", json=SEED_BODY, headers=ws()))

    with ThreadPoolExecutor(8) as pool:
        made = [rid for batch in pool.map(create, range(40)) for rid in batch]
    assert len(set(made)) == 80  # two campaigns each
    entries = pair.one.get("/__mock/requests", params={"limit": 100}).json()["data"]
    assert len(entries) == 40 and len({e["_id"] for e in entries}) == 40
    assert pair.other.get("/__mock/requests", params={"cursor": entries[19]["_id"], "limit": 100}).json()["data"] \
        == entries[20:]


def test_the_journal_numbers_its_entries_with_the_same_ids_on_either_store(redis_server: RedisServer) -> None:
    """Redis's Lua names an entry as it appends it (redis.sha1hex), the embedded store in Python: the same ids."""
    journals = []
    for store in ("memory", redis_store_url(redis_server)):
        client = create_mock(Settings(store=store), clock=ManualClock(START)).app.test_client()
        client.post("/v1/reports", json=SEED_BODY, headers=ws())
        client.get("/v1/reports", headers=ws())
        client.post("/v1/reports", json={"reportType": "nope"}, headers=ws())
        journals.append([(e["_id"], e["status"]) for e in client.get("/__mock/requests").json()["data"]])
    assert journals[0] == journals[1] and len({i for i, _ in journals[0]}) == 3
    assert [status for _, status in journals[0]] == [400, 200, 201]


def test_a_request_reads_and_writes_redis_in_a_few_round_trips(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """The session's clock and stubs kept from one request to the next (dropped by any worker's change); the
    ids of a create taken at once, then every report (sequenced, stored, indexed, filed under its status and
    queued to be announced) in one call; a journal entry numbered as it is written: a POST of two campaign
    reports costs 3 round trips (it cost 14) and a GET of a report 2 (it cost 5)."""
    import redis
    from redis.client import Pipeline

    pair.one.post("/v1/webhooks", json=HOOK, headers=ws())
    rid = ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws()))[0]
    ids(pair.other.post("/v1/reports", json=SEED_BODY, headers=ws()))  # each worker has met the session once
    pair.one.get(f"/v1/reports/{rid}", headers=ws())  # (and `one` has read it since `other` met it)
    calls: list[str] = []
    plain, batched = redis.Redis.execute_command, Pipeline.execute
    monkeypatch.setattr(redis.Redis, "execute_command",
                        lambda self, *a, **k: calls.append(str(a[0])) or plain(self, *a, **k))
    monkeypatch.setattr(Pipeline, "execute", lambda self, *a, **k: calls.append("pipeline") or batched(self, *a, **k))
    made = ids(pair.other.post("/v1/reports", json=SEED_BODY, headers=ws()))
    posted, calls[:] = list(calls), []
    assert pair.one.get(f"/v1/reports/{rid}", headers=ws()).status_code == 200
    assert (len(posted), len(calls)) == (3, 2), (posted, calls)
    monkeypatch.undo()
    for _ in range(6):
        pair.advance(1)
    assert {pair.one.get(f"/v1/reports/{r}", headers=ws()).json()["data"]["status"] for r in made} == {"ready"}
    delivered = {json.loads(call.body)["data"]["_id"] for call in pair.sender.calls}
    assert set(made) <= delivered  # each report of the one-step create was queued to be announced
    assert len({e["_id"] for e in pair.one.get("/__mock/requests").json()["data"]}) == 8


def test_a_clock_moved_or_a_stub_put_through_one_worker_is_seen_by_the_next_request_of_the_other(
        pair: Pair) -> None:
    """Each worker keeps a session's clock and stubs between requests; a change through any worker drops them."""
    rid = ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws()))[0]
    statuses = []
    for _ in range(12):  # each GET through `one` right after a change made through `other`
        pair.other.post("/__mock/clock", json={"advance": 0.5})
        statuses.append(pair.one.get(f"/v1/reports/{rid}", headers=ws()).json()["data"]["status"])
    assert statuses == ["queued"] * 1 + ["processing"] * 6 + ["ready"] * 5
    pair.other.post("/__mock/stubs", json={"method": "GET", "path": "/v1/reports/{id}", "status": 503, "times": 1})
    assert pair.one.get(f"/v1/reports/{rid}", headers=ws()).status_code == 503
    assert pair.one.get(f"/v1/reports/{rid}", headers=ws()).status_code == 200
    pair.other.post("/__mock/reset")
    assert pair.one.get(f"/v1/reports/{rid}", headers=ws()).status_code == 404


def test_a_worker_keeps_at_most_its_cap_of_sessions_heads_and_answers_each_session_right(
        redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_store._Heads, "MAX_KEPT", 3)
    mock = create_mock(Settings(store=redis_store_url(redis_server)), clock=ManualClock(START))
    client = mock.app.test_client()
    for n in range(8):  # session n's clock moved on by n hours: each session's own head, whatever was dropped
        client.post("/__mock/clock", json={"advance": 3600 * n}, headers={"X-Mock-Session": f"s{n}"})
    for n in [*range(8), *range(8)]:
        now = client.get("/__mock/clock", headers={"X-Mock-Session": f"s{n}"}).json()["data"]["now"]
        assert now.startswith((START + timedelta(hours=n)).strftime("%Y-%m-%dT%H")), (n, now)
    heads = mock.sessions.directory.heads  # type: ignore[union-attr]
    assert 0 < len(heads._kept) <= 3


def test_a_redis_that_refuses_subscribe_costs_a_round_trip_and_nothing_else(
        redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some managed Redis services refuse pub/sub: a worker then keeps nothing and reads the head each time."""
    import redis
    from redis.client import PubSub

    tried: list[str] = []

    def refused(self: Any, *args: Any, **kwargs: Any) -> None:
        tried.append("SUBSCRIBE")
        raise redis.ResponseError("NOPERM this user has no permissions to access the channel")

    monkeypatch.setattr(PubSub, "subscribe", refused)
    monkeypatch.setattr(shared_store._Heads, "RETRY_SECONDS", 3600)  # (1 s in use: this run may be slow)
    pair = Pair(redis_store_url(redis_server))
    rid = ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws()))[0]
    pair.one.get(f"/v1/reports/{rid}", headers=ws())
    calls: list[str] = []
    plain, batched = redis.Redis.execute_command, redis.client.Pipeline.execute
    monkeypatch.setattr(redis.Redis, "execute_command",
                        lambda self, *a, **k: calls.append(str(a[0])) or plain(self, *a, **k))
    monkeypatch.setattr(redis.client.Pipeline, "execute",
                        lambda self, *a, **k: calls.append("pipeline") or batched(self, *a, **k))
    assert pair.one.get(f"/v1/reports/{rid}", headers=ws()).json()["data"]["status"] == "queued"
    assert len(calls) == 3, calls  # the head, the report, the journal
    pair.other.post("/__mock/clock", json={"advance": 10})
    assert pair.one.get(f"/v1/reports/{rid}", headers=ws()).json()["data"]["status"] == "ready"
    assert len(tried) == 2  # once per worker, not again on each of its requests (again after RETRY_SECONDS)


def test_a_duplicate_email_cannot_be_raced_in_through_two_workers(pair: Pair) -> None:
    body = {"name": "Dana", "email": "dana.race@example.com"}

    def create(n: int) -> int:
        return int((pair.one if n % 2 else pair.other).post("/v1/reports/recipients", json=body, headers=ws()).status_code)

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(create, range(24)))
    assert sorted(statuses) == [201] + [409] * 23


def test_a_due_item_goes_to_one_caller_and_back_to_the_queue_if_its_worker_dies(
        redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    stores = shared_store.RedisStores.connect(redis_store_url(redis_server))
    first, second = (stores.queue("jobs", lambda item: item, str) for _ in range(2))  # two workers' views
    for n in range(200):
        first.push(START, f"job-{n}")

    def pop(view: Any) -> list[tuple[Any, str]]:
        return [(view, item) for item in view.pop_due(START)]

    with ThreadPoolExecutor(8) as pool:
        popped = [pair for batch in pool.map(pop, [first, second] * 20) for pair in batch]
    assert sorted(item for _, item in popped) == sorted(f"job-{n}" for n in range(200))  # every item once
    for view, item in popped:
        view.done(item)
    monkeypatch.setattr(shared_store, "LEASE_MS", 0)
    first.push(START, "late")
    assert first.pop_due(START) == ["late"]  # and its worker dies before done: the lease runs out
    assert second.pop_due(START) == ["late"]  # so the next worker to look takes it over
    second.done("late")
    assert first.pop_due(START) == [] and second.pop_due(START) == []  # settled: gone for good


def test_idle_sessions_expire_and_the_cap_drops_the_least_recently_used(
        redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_store, "TOUCH_SECONDS", 0)  # each use marks the session (else once a second)
    url = redis_store_url(redis_server)
    pair = Pair(url, max_sessions=2, session_idle_seconds=3600)
    assert pair.one.get("/v1/reports", headers=ws()).status_code == 200  # default: the oldest of all
    for name in ("a", "b", "c"):
        ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws(**{"X-Mock-Session": name})))
    directory = pair.mocks[0].sessions.directory
    assert directory is not None
    assert pair.mocks[1].sessions.expire() == ["a", "b"]  # 4 sessions, cap 2: the oldest but default go
    assert sorted(directory.names()) == ["c", "default"]
    back = pair.one.get("/v1/reports", headers=ws(**{"X-Mock-Session": "a"})).json()
    assert back["pagination"]["total"] == 0  # a dropped session starts again, fixtures and all
    assert len(pair.one.get("/v1/reports/recipients", headers=ws(**{"X-Mock-Session": "a"})).json()["data"]) > 0
    idle = Pair(url, session_idle_seconds=0.001)
    assert sorted(idle.mocks[0].sessions.expire()) == ["a", "c"]  # default stays, idle or not


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, to stop and start: persisting every write (appendfsync always)."""
    server = RedisServer(tmp_path / "redis", appendonly=True).start()
    try:
        yield server
    finally:
        server.stop()


def test_redis_down_is_a_503_with_retry_after_and_the_mock_recovers_by_itself(own_redis: RedisServer) -> None:
    pair = Pair(own_redis.url)
    made = ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws()))
    own_redis.kill()
    for client, method, path, body in [
        (pair.one, "get", f"/v1/reports/{made[0]}", None), (pair.other, "post", "/v1/reports", SEED_BODY),
        (pair.one, "get", "/v1/reports", None), (pair.other, "post", "/__mock/reset", None),
        (pair.one, "get", "/__mock/requests", None), (pair.one, "post", "/v1/reports/recipients",
                                                     {"name": "A", "email": "a@example.com"}),
    ]:
        answer = client.request(method.upper(), path, json=body, headers=ws())
        assert answer.status_code == 503, (path, answer.text)
        assert answer.headers["Retry-After"] == "1" and answer.headers["Content-Type"] == "application/json"
        assert answer.json()["code"] == 503 and answer.json()["error"] == "Service Unavailable"
    with pytest.raises(StoreUnavailable):  # a tick meets the outage as the same error (the ticker thread logs it)
        pair.mocks[0].tick()
    own_redis.start()  # same port, same directory: the append-only file brings the acknowledged writes back
    assert pair.other.get(f"/v1/reports/{made[0]}", headers=ws()).status_code == 200
    assert ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws()))[0] not in made
    # what a worker kept of the session before the outage is not trusted after it: a clock moved through the
    # other worker is seen at once (the change messages sent while it was away are lost)
    assert pair.one.get(f"/v1/reports/{made[0]}", headers=ws()).json()["data"]["status"] == "queued"
    assert pair.other.post("/__mock/clock", json={"advance": 10}).status_code == 200
    assert pair.one.get(f"/v1/reports/{made[0]}", headers=ws()).json()["data"]["status"] == "ready"


def test_a_redis_that_hangs_is_a_503_within_its_timeout_not_a_hung_request(own_redis: RedisServer) -> None:
    pair = Pair(own_redis.url)
    made = ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws()))
    assert own_redis.process is not None
    own_redis.process.send_signal(signal.SIGSTOP)  # up, accepting connections, answering nothing
    try:
        started = time.monotonic()
        answer = pair.other.get(f"/v1/reports/{made[0]}", headers=ws())
        waited = time.monotonic() - started
    finally:
        own_redis.process.send_signal(signal.SIGCONT)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert waited < 4.5  # redis-py's 2 s reply timeout, not retried; the next calls of the request fail at once
    assert pair.one.get(f"/v1/reports/{made[0]}", headers=ws()).status_code == 200


def test_a_session_made_on_one_worker_is_the_same_world_on_the_other(pair: Pair) -> None:
    """A session made on one worker is known on the other at once (keys, fixtures, ids)."""
    headers = {"X-Api-Key": WS_KEY, "X-Mock-Session": "fresh"}
    assert pair.one.get("/v1/reports/recipients", headers=headers).json()["data"] == \
        pair.other.get("/v1/reports/recipients", headers=headers).json()["data"]


def test_the_journal_keeps_an_integer_past_64_bits_as_sent(pair: Pair) -> None:
    """Found by the contract suite on Redis: a body with -2**63-1 broke the fast JSON encoder."""
    body = {"reportType": "workspace", "sections": {"executiveSummary": -9223372036854775809}}
    assert pair.one.post("/v1/reports", json=body, headers=ws()).status_code == 400
    entry = pair.other.get("/__mock/requests").json()["data"][0]
    assert entry["body"]["sections"]["executiveSummary"] == -9223372036854775809 and entry["status"] == 400


def test_the_ticker_runs_only_sessions_with_something_due(pair: Pair) -> None:
    """One call to Redis per round finds them: hundreds of idle sessions cost the ticker nothing."""
    sessions = pair.mocks[0].sessions
    ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws(**{"X-Mock-Session": "busy"})))
    for n in range(50):
        assert pair.one.get("/v1/reports", headers=ws(**{"X-Mock-Session": f"idle{n}"})).status_code == 200
    pair.one.post("/__mock/clock", json={"mode": "manual"}, headers={"X-Mock-Session": "still"})
    ids(pair.one.post("/v1/reports", json=SEED_BODY, headers=ws(**{"X-Mock-Session": "still"})))
    assert sessions.ticking(pair.clock.now()) == []  # nothing finishes before 4 s
    pair.clock.advance(5)
    assert [s.name for s in sessions.ticking(pair.clock.now())] == ["busy"]  # "still" stands on its own clock
    pair.mocks[1].tick()
    assert sessions.ticking(pair.clock.now()) == []  # announced: nothing more until the next thing falls due
    schedule = {"enabled": True, "frequency": "daily", "timeOfDay": "12:00", "timezone": "UTC"}
    made = pair.other.post("/v1/reports/recipients", json={"name": "S", "email": "s@example.com",
                                                           "schedule": schedule}, headers=ws())
    assert made.status_code == 201, made.text
    assert sessions.ticking(pair.clock.now()) == []
    pair.clock.advance(2 * 3600)  # 12:00 UTC passes: the recipient's schedule is due
    assert [s.name for s in sessions.ticking(pair.clock.now())] == ["default"]


def test_the_simulated_rate_limit_counts_every_workers_requests_in_one_window(redis_server: RedisServer) -> None:
    """A client load-tested through several workers meets the limit it was given, not one per worker."""
    url = redis_store_url(redis_server)
    pair = Pair(url, rate_limit="5/min")
    statuses = [(pair.one if n % 2 else pair.other).get("/v1/reports", headers=ws()).status_code for n in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    keys = shared_store.RedisStores.connect(url).client.keys("*window*")
    assert keys and not any(WS_KEY.encode() in key for key in keys)  # the store names no API key


def test_a_sessions_settings_changed_through_one_worker_reach_the_other(
        pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_store, "TOUCH_SECONDS", 0)  # else within a second
    changed = pair.one.patch("/__mock/settings", json={"queuedSeconds": 100, "errorRate": 1.0})
    assert changed.status_code == 200 and changed.json()["data"]["queuedSeconds"] == 100
    assert pair.other.get("/__mock/settings").json()["data"]["errorRate"] == 1.0
    assert pair.other.get("/v1/reports", headers=ws()).status_code in (500, 503)  # every request an injected error
    pair.one.patch("/__mock/settings", json={"errorRate": 0})
    made = ids(pair.other.post("/v1/reports", json=SEED_BODY, headers=ws()))
    pair.advance(50)
    assert pair.one.get(f"/v1/reports/{made[0]}", headers=ws()).json()["data"]["status"] == "queued"  # 100 s queued
    pair.other.post("/__mock/reset")
    assert pair.one.get("/__mock/settings").json()["data"]["queuedSeconds"] == 1.0  # a reset: the server's again
