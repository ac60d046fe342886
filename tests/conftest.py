"""Shared fixtures: a mock built per test on a manual clock, its test client, and the default world's keys."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sendkit_mock import ManualClock, Mock, Settings, create_mock

from .redis_server import RedisServer

WS_KEY = "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68"  # Brightwave Growth (default workspace)
WS2_KEY = "sk_26716033e53c039c0c11740f3475c3333c939e2e74506ccf"  # Brightwave Partners, same owner
OTHER_WS_KEY = "sk_84e2cdb7a166d1671bc5e2abc1e78b59777dd1f863d3c5b0"  # Northwind Labs, another user
PLATFORM_KEY = "sk_user_a95db5b0ac159e4384ff55ef91c94a98dc563d66a88e7b02"  # Maya Chen: owns both Brightwave
OTHER_PLATFORM_KEY = "sk_user_21297e6e966afbd06e8f08c4525ae2edcbd3696cc6bc4360"  # Omar Haddad: owns Northwind
WS_ID = "665a1f0c2b3d4e5f6a7b8c01"
WS2_ID = "665a1f0c2b3d4e5f6a7b8c02"
OTHER_WS_ID = "665a1f0c2b3d4e5f6a7b8c03"
SEED_CAMPAIGNS = ["664f0a1b2c3d4e5f6a7b8c01", "664f0a1b2c3d4e5f6a7b8c02"]
SEED_BODY: dict[str, Any] = {
    "reportType": "campaign",
    "campaignIds": SEED_CAMPAIGNS,
    "periodStart": "2026-01-01",
    "periodEnd": "2026-04-17",
    "sections": {"executiveSummary": True, "campaignPerformance": True, "mailboxHealth": False},
}
START = datetime(2026, 4, 17, 10, 0, tzinfo=UTC)


def ws(key: str = WS_KEY, **extra: str) -> dict[str, str]:
    return {"X-Api-Key": key, **extra}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def settings() -> Settings:
    return Settings(seed=42, queued_seconds=1.0, processing_seconds=3.0, failure_rate=0.0)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the whole run; each test keeps to a key prefix of its own."""
    server = RedisServer(Path(tmp_path_factory.mktemp("redis"))).start()
    try:
        yield server
    finally:
        server.stop()


_prefixes = itertools.count()


def redis_store_url(server: RedisServer) -> str:
    """A store URL no other test shares: the same server, another key prefix."""
    return f"{server.url}?prefix=test{next(_prefixes)}"


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> str:
    """Both stores: the embedded one, and Redis (a real redis-server) as several workers would share it."""
    if request.param == "memory":
        return "memory"
    return redis_store_url(request.getfixturevalue("redis_server"))


@pytest.fixture
def mock(settings: Settings, clock: ManualClock, store: str) -> Mock:
    return create_mock(settings.replace(store=store), clock=clock)


@pytest.fixture
def client(mock: Mock) -> Iterator[Any]:
    with mock.app.test_client() as test_client:
        yield test_client




def _repeated(ids: list[str]) -> list[str]:
    return sorted(nodeid for nodeid, count in Counter(ids).items() if count > 1)


_REPEATED = ("several tests share a node id ({n} such ids, e.g. {first}): pytest-xdist schedules by node id and "
             "would quietly run one of each, and none of them can be picked by id. pytest 9.2 names Schemathesis' "
             "per-operation tests without the operation; constraints.txt pins pytest 9.1.1 for that")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stop a run in which two tests share a node id, rather than lose one of them (the controller checks
    what pytest-xdist's workers collected)."""
    repeated = _repeated([item.nodeid for item in items])
    if repeated and not hasattr(config, "workerinput"):
        raise pytest.UsageError(_REPEATED.format(n=len(repeated), first=repeated[0]))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    repeated = _repeated(ids)
    if repeated:
        pytest.exit(_REPEATED.format(n=len(repeated), first=repeated[0]), returncode=pytest.ExitCode.USAGE_ERROR)
