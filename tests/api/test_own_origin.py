"""The control plane and the dashboard answer only their own origin: a page the developer visits can neither
drive nor read them, and a rebinding name is refused. The /v1 API keeps its CORS for frontends."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from sendkit_mock import ManualClock, Settings, create_mock

from ..conftest import START, ws

EVIL = "https://evil.example"


@pytest.mark.parametrize(("method", "path"), [("POST", "/__mock/reset"), ("GET", "/__mock/state"), ("GET", "/"),
                                              ("PUT", "/__mock/state"), ("GET", "/dashboard/dashboard.js")])
def test_another_origin_is_refused_without_any_cors_grant(client: Any, method: str, path: str) -> None:
    for headers in ({"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"}):
        answer = client.request(method, path, headers=headers)
        assert answer.status_code == 403, answer.text
        assert "access-control-allow-origin" not in answer.headers
        assert answer.json()["details"][0]["field"] == "Origin"


def test_a_preflight_from_another_origin_grants_nothing(client: Any) -> None:
    answer = client.options("/__mock/reset", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
    assert answer.status_code == 403 and "access-control-allow-origin" not in answer.headers


@pytest.mark.parametrize("host", ["evil.example", "evil.example:4010", "127.0.0.1.nip.io"])
def test_a_host_that_is_no_name_of_this_server_is_refused_dns_rebinding(client: Any, host: str) -> None:
    answer = client.get("/__mock/state", headers={"Host": host})
    assert answer.status_code == 403 and answer.json()["details"][0]["field"] == "Host"


@pytest.mark.parametrize("host", ["127.0.0.1:4010", "localhost:4010", "[::1]:4010", "mockbox:4010", "10.0.0.5"])
def test_the_servers_own_names_and_same_origin_calls_are_answered(client: Any, host: str) -> None:
    answer = client.get("/__mock/server", headers={"Host": host, "Origin": f"http://{host}"})
    assert answer.status_code == 200, answer.text


def test_allowed_hosts_adds_a_name() -> None:
    app = create_mock(Settings(seed=1, allowed_hosts="mock.team.example"), clock=ManualClock(START)).app
    with TestClient(app) as client:
        assert client.get("/__mock/server", headers={"Host": "mock.team.example"}).status_code == 200
        assert client.get("/__mock/server", headers={"Host": "other.team.example"}).status_code == 403


def test_the_api_keeps_its_cors_for_frontends(client: Any) -> None:
    answer = client.get("/v1/reports", headers={**ws(), "Origin": EVIL})
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "*"
