"""With --admin-token every control call needs the token in X-Mock-Admin-Token, the dashboard's included (the
page is given it in the address's fragment and sends the header); the page carries no key of the world, and no
other page may frame it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from sendkit_mock import ManualClock, Settings, create_mock

from ..conftest import START, WS_KEY

TOKEN = "s3cret-admin-token"


@pytest.fixture
def guarded() -> Iterator[Any]:
    app = create_mock(Settings(seed=42, admin_token=TOKEN), clock=ManualClock(START)).app
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.mark.parametrize("path", ["/__mock/server", "/__mock/state", "/__mock/./requests", "/__mock/clock",
                                  "/__mock/world"])
def test_without_the_token_no_control_call_is_answered(guarded: Any, path: str) -> None:
    answer = guarded.get(path)
    assert answer.status_code == 401 and answer.json()["code"] == 401
    assert "#admin_token=" in answer.json()["message"]  # how the dashboard is opened


def test_with_the_token_the_page_holds_no_key_and_its_data_needs_the_header(guarded: Any) -> None:
    page = guarded.get("/")
    assert page.status_code == 200 and WS_KEY not in page.text and "sk_" not in page.text
    script = guarded.get("/dashboard/dashboard.js").text
    assert 'headers["X-Mock-Admin-Token"] = state.token' in script and "sessionStorage" in script
    cookie_lines = [line for line in script.splitlines() if "cookie" in line.lower()]  # the session's, read
    assert cookie_lines and not [line for line in cookie_lines if "token" in line.lower()]  # never the token's
    assert "localStorage.setItem(\"sendkit-mock.admin" not in script
    assert guarded.get("/__mock/server", headers={"X-Mock-Admin-Token": TOKEN}).status_code == 200
    assert guarded.post("/__mock/reset", headers={"X-Mock-Admin-Token": TOKEN}).status_code == 200
    assert guarded.get("/__mock/server", headers={"Cookie": "sendkit_mock_admin=" + TOKEN}).status_code == 401


def test_without_a_token_the_page_shows_a_key_for_its_first_example() -> None:
    app = create_mock(Settings(seed=42), clock=ManualClock(START)).app
    with TestClient(app) as client:
        assert WS_KEY in client.get("/").text


def test_no_other_page_may_frame_the_dashboard(guarded: Any) -> None:
    page = guarded.get("/")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    framed = {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe"}
    assert guarded.get("/", headers=framed).status_code == 403
    assert guarded.get("/__mock/clock?__session=evict", headers=framed).status_code == 403


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors"},
                                     {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors"},
                                     {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate"}])
def test_another_port_of_this_host_reaches_no_control_call(headers: dict[str, str]) -> None:
    app = create_mock(Settings(seed=42), clock=ManualClock(START)).app
    with TestClient(app) as client:
        assert client.post("/__mock/reset", headers=headers).status_code == 403
        assert client.get("/__mock/state", headers=headers).status_code == 403
        followed = {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
        assert client.get("/", headers=followed).status_code == 200  # a link to the page, in the top window
