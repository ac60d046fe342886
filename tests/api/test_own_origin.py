"""The control plane and the dashboard answer only their own origin: a page the developer visits can neither
drive nor read them, and a rebinding name is refused. The /v1 API keeps its CORS for frontends."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from sendkit_mock import ManualClock, Settings, create_mock
from sendkit_mock.web.routes import answer_headers

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


DEV = "http://127.0.0.1:5173"  # a frontend's dev server


def test_every_header_the_contract_documents_on_an_answer_is_exposed_to_scripts(client: Any) -> None:
    client.patch("/__mock/settings", json={"rateLimit": "1/s"})
    client.get("/v1/reports", headers={**ws(), "Origin": DEV})
    limited = client.get("/v1/reports", headers={**ws(), "Origin": DEV, "Prefer": "delay=0"})
    assert limited.status_code == 429
    exposed = {name.strip().lower() for name in limited.headers["access-control-expose-headers"].split(",")}
    documented = {"retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "allow"}
    assert documented | {"preference-applied"} <= exposed
    ordinary = {"content-type", "content-length", "vary"} | {h for h in limited.headers if h.startswith("access-")}
    assert {h.lower() for h in limited.headers} - ordinary <= exposed  # nothing the 429 carries is hidden


def test_with_any_origin_no_credentials_are_granted_even_to_a_request_with_the_cookie(client: Any) -> None:
    answer = client.get("/v1/reports", headers={**ws(), "Origin": EVIL, "Cookie": "sendkit_mock_session=x"})
    assert answer.status_code == 200 and "access-control-allow-credentials" not in answer.headers
    preflight = client.options("/v1/reports", headers={"Origin": EVIL, "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-credentials" not in preflight.headers


def test_named_origins_get_credentials_so_the_cookie_session_works_from_a_dev_server() -> None:
    app = create_mock(Settings(seed=42, cors_origins=f"{DEV}, http://localhost:3000"), clock=ManualClock(START)).app
    with TestClient(app) as client:
        preflight = client.options("/v1/reports", headers={
            "Origin": DEV, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key"})
        assert preflight.status_code == 200
        assert (preflight.headers["access-control-allow-origin"], preflight.headers["access-control-allow-credentials"]) \
            == (DEV, "true")
        made = client.post("/v1/reports", json={"reportType": "workspace"},
                           headers={**ws(), "Origin": DEV, "Cookie": "sendkit_mock_session=devserver"})
        assert made.status_code == 201 and made.headers["access-control-allow-credentials"] == "true"
        assert made.headers["access-control-allow-origin"] == DEV and "Origin" in made.headers["vary"]
        assert client.get("/__mock/reports", headers={"X-Mock-Session": "devserver"}).json()["pagination"]["total"] == 1
        other = client.get("/v1/reports", headers={**ws(), "Origin": EVIL, "Cookie": "sendkit_mock_session=devserver"})
        assert "access-control-allow-origin" not in other.headers  # an origin not named: its script reads nothing
        control = client.get("/__mock/reports", headers={"Origin": DEV})  # the control plane's rules stay
        assert control.status_code == 403 and "access-control-allow-origin" not in control.headers


def test_the_exposed_headers_are_read_from_the_documents_not_listed_by_hand() -> None:
    document = {"paths": {"/v1/things": {"get": {"responses": {
        "200": {"description": "ok", "headers": {"X-Request-Id": {"schema": {"type": "string"}}}},
        "429": {"$ref": "#/components/responses/Limited"}}}}},
        "components": {"responses": {"Limited": {"description": "slow down", "headers": {"Retry-After": {}}}}}}
    mock = {"x-sendkit-mock-answer-headers": [{"name": "Preference-Applied"}], "paths": {}}
    assert answer_headers([document, mock]) == ["Allow", "Preference-Applied", "Retry-After", "X-Request-Id"]


@pytest.mark.parametrize("path", ["/v1/reports", "/v1/reports/nope", "/v1/nothing-here"])
def test_an_answer_without_an_origin_still_varies_on_origin_once_for_caches(client: Any, path: str) -> None:
    plain = client.get(path, headers=ws())
    crossed = client.get(path, headers={**ws(), "Origin": EVIL})
    for answer in (plain, crossed):
        assert [v for k, v in answer.headers.multi_items() if k == "vary"] == ["Origin"], answer.headers
    assert plain.status_code == crossed.status_code


def test_vary_origin_joins_a_vary_the_answer_already_has() -> None:
    import asyncio

    from sendkit_mock.web.routes import _vary_origin

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(_vary_origin(send)({"type": "http.response.start", "status": 200,
                                    "headers": [(b"vary", b"Accept"), (b"content-type", b"application/json")]}))
    assert sent[0]["headers"] == [(b"content-type", b"application/json"), (b"vary", b"Accept, Origin")]
