"""With --admin-token, the control plane and the dashboard need the token: in a header for tools, in the
dashboard's cookie for a browser (set once by /?admin_token=<token>). Without it nothing of a session, and no
key of the world, reaches the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from sendkit_mock import ManualClock, Settings, create_mock

from ..conftest import START, WS_KEY

TOKEN = "s3cret-admin-token"
HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def guarded() -> Iterator[Any]:
    app = create_mock(Settings(seed=42, admin_token=TOKEN), clock=ManualClock(START)).app
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.mark.parametrize("path", ["/", "/dashboard/dashboard.js", "/__mock/server", "/__mock/state"])
def test_without_the_token_nothing_is_shown(guarded: Any, path: str) -> None:
    answer = guarded.get(path)
    assert answer.status_code == 401 and answer.json()["code"] == 401
    assert WS_KEY not in answer.text


def test_a_browser_is_asked_for_the_token_by_a_page_that_holds_no_key(guarded: Any) -> None:
    answer = guarded.get("/", headers=HTML)
    assert answer.status_code == 401 and answer.headers["content-type"].startswith("text/html")
    assert 'name="admin_token"' in answer.text and WS_KEY not in answer.text
    assert "form-action 'self'" in answer.headers["content-security-policy"]


def test_the_login_link_sets_a_cookie_that_opens_the_page_and_its_data(guarded: Any) -> None:
    login = guarded.get(f"/?session=ci&admin_token={TOKEN}", headers=HTML)
    assert login.status_code == 303 and login.headers["location"] == "/?session=ci"  # the token leaves the address
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    page = guarded.get("/?session=ci", headers=HTML)  # the client keeps the cookie, as a browser does
    assert page.status_code == 200 and WS_KEY in page.text
    assert guarded.get("/__mock/server").status_code == 200
    assert guarded.post("/__mock/reset").status_code == 200


def test_a_wrong_token_sets_no_cookie(guarded: Any) -> None:
    answer = guarded.get("/?admin_token=guess", headers=HTML)
    assert answer.status_code == 401 and "set-cookie" not in answer.headers
    assert "not this mock" in answer.text
    forged = guarded.get("/__mock/server", headers={"Cookie": "sendkit_mock_admin=" + "0" * 64})
    assert forged.status_code == 401


def test_tools_keep_the_header(guarded: Any) -> None:
    assert guarded.get("/__mock/server", headers={"X-Mock-Admin-Token": TOKEN}).status_code == 200
    assert guarded.get("/", headers={"X-Mock-Admin-Token": TOKEN}).status_code == 200
    assert guarded.get("/ui/").status_code == 200  # the contract's docs are no secret


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors"},
                                     {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors"}])
def test_another_port_of_this_host_is_refused_but_for_a_link_followed(headers: dict[str, str]) -> None:
    app = create_mock(Settings(seed=42), clock=ManualClock(START)).app
    with TestClient(app) as client:
        assert client.post("/__mock/reset", headers=headers).status_code == 403
        assert client.get("/__mock/state", headers=headers).status_code == 403
        followed = {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate"}
        assert client.get("/", headers=followed).status_code == 200
        assert client.post("/__mock/reset", headers=followed).status_code == 403
