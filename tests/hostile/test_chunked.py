"""A body sent with `Transfer-Encoding: chunked` (what `requests` does with a generator) is written like any
other: every acknowledged write is there afterwards. It was validated and then not handed to the handler."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import SEED_BODY, WS_KEY
from tests.e2e.conftest import RunningServer, running

pytestmark = pytest.mark.e2e
KEY = {"X-Api-Key": WS_KEY, "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running(Path(tmp_path_factory.mktemp("chunked")) / "server.log") as running_server:
        yield running_server


def chunks(body: object) -> Iterator[bytes]:
    raw = json.dumps(body).encode()
    yield from (raw[i:i + 7] for i in range(0, len(raw), 7))


def test_a_chunked_create_is_stored_as_sent(server: RunningServer) -> None:
    made = requests.post(f"{server.url}/v1/reports", data=chunks(SEED_BODY), headers=KEY, timeout=10)
    assert made.request.headers.get("Transfer-Encoding") == "chunked"
    assert made.status_code == 201, made.text
    reports = made.json()["data"]["reports"]
    assert len(reports) == len(SEED_BODY["campaignIds"])  # one per campaign
    stored = requests.get(f"{server.url}/v1/reports/{reports[0]['id']}", headers=KEY, timeout=10).json()["data"]
    assert (stored["campaignIds"], stored["periodStart"]) == (SEED_BODY["campaignIds"][:1], SEED_BODY["periodStart"])


def test_a_chunked_patch_of_a_recipient_changes_it(server: RunningServer) -> None:
    listed = requests.get(f"{server.url}/v1/reports/recipients", headers=KEY, timeout=10).json()["data"]
    rid = listed[0]["_id"]
    patched = requests.patch(f"{server.url}/v1/reports/recipients/{rid}", data=chunks({"name": "Changed"}),
                             headers=KEY, timeout=10)
    assert patched.status_code == 200, patched.text
    again = requests.get(f"{server.url}/v1/reports/recipients/{rid}", headers=KEY, timeout=10).json()["data"]
    assert again["name"] == "Changed"


def test_a_chunked_patch_of_the_mock_settings_is_applied(server: RunningServer) -> None:
    patched = requests.patch(f"{server.url}/__mock/settings", data=chunks({"queuedSeconds": 7}),
                             headers={"Content-Type": "application/json"}, timeout=10)
    assert patched.status_code == 200, patched.text
    assert requests.get(f"{server.url}/__mock/settings", timeout=10).json()["data"]["queuedSeconds"] == 7
