"""Every spelling of a path reaches what it names, through the checks of what it names (a raw client: HTTP
libraries clean a path before sending it, an attacker does not)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import RunningServer, running

pytestmark = pytest.mark.e2e
TOKEN = "s3cret-admin-token"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running(tmp_path_factory.mktemp("paths") / "server.log", "--admin-token", TOKEN) as server:
        yield server


def raw_get(server: RunningServer, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    where = urlsplit(server.url)
    connection = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=5)
    try:
        connection.putrequest("GET", path, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


SPELLINGS = ["//__mock/server", "/__mock//server", "/v1/../__mock/server", "/__mock/./server",
             "/__mock/x/../server", "/%2F__mock/server", "/%5F_mock/server"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_a_control_path_needs_the_admin_token(guarded: RunningServer, spelling: str) -> None:
    status, body = raw_get(guarded, spelling)
    assert status == 401, body
    assert body["code"] == 401 and "X-Mock-Admin-Token" in body["message"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_with_the_token_every_spelling_reaches_the_control_plane(guarded: RunningServer, spelling: str) -> None:
    status, body = raw_get(guarded, spelling, {"X-Mock-Admin-Token": TOKEN})
    assert status == 200, body
    assert body["data"]["sessions"] == ["default"]


def test_an_api_path_spelled_oddly_is_the_api(guarded: RunningServer) -> None:
    status, body = raw_get(guarded, "/v1//reports/./../reports", {"X-Api-Key": "nope"})
    assert status == 401 and body["message"] == "Invalid or missing API key"


@pytest.mark.parametrize(("path", "meant"), [("/v1/reports/", "/v1/reports"), ("/v1//reports/./", "/v1/reports"),
                                             ("/__mock/server/", "/__mock/server")])
def test_a_trailing_slash_is_a_404_not_a_redirect_built_from_the_host_header(guarded: RunningServer,
                                                                            path: str, meant: str) -> None:
    """Starlette's 307 went to whatever Host named, and a client following it sent its key there."""
    host = "evil.example" if path.startswith("/v1") else "127.0.0.1"  # the control plane refuses that Host first
    status, body = raw_get(guarded, path, {"X-Api-Key": "nope", "Host": host, "X-Mock-Admin-Token": TOKEN})
    assert status == 404, body
    assert body["details"] == [{"field": "path", "message": f"No such path; without the trailing slash it is {meant}"}]


@pytest.mark.parametrize("path", ["/__mock/server", "/v1/reports", "/"])
def test_two_host_headers_are_a_400_wherever_they_go(guarded: RunningServer, path: str) -> None:
    """RFC 9112 §3.2. A layer that reads the first `Host` and another that reads the last would disagree on
    which server was named; one of them passes the own-host check with a name the other never saw."""
    where = urlsplit(guarded.url)
    for hosts in (("127.0.0.1", "evil.example"), ("evil.example", "127.0.0.1"), ("127.0.0.1", "127.0.0.1")):
        connection = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=5)
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            for host in hosts:
                connection.putheader("Host", host)
            connection.putheader("X-Mock-Admin-Token", TOKEN)
            connection.putheader("X-Api-Key", "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68")
            connection.endheaders()
            response = connection.getresponse()
            body = json.loads(response.read())
        finally:
            connection.close()
        assert response.status == 400, (hosts, body)
        assert body["details"] == [{"field": "Host", "message": "Sent more than once"}]
