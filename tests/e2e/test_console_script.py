"""The real console script on a free port, driven with `requests` exactly as the seed page's Python snippet."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from ..conftest import SEED_BODY, WS_KEY
from .conftest import SCRIPT, RunningServer

pytestmark = pytest.mark.e2e


def test_the_seed_example_runs_to_ready(server: RunningServer) -> None:
    base, _ = server
    headers = {"Content-Type": "application/json", "X-Api-Key": WS_KEY}
    response = requests.post(f"{base}/v1/reports", headers=headers, json=SEED_BODY, timeout=5)
    assert response.status_code == 201
    assert response.json()["data"]["message"] == "2 reports queued for generation"
    rid = response.json()["data"]["reports"][0]["id"]
    statuses = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        report = requests.get(f"{base}/v1/reports/{rid}", headers={"Authorization": f"Bearer {WS_KEY}"}, timeout=5).json()
        if not statuses or statuses[-1] != report["data"]["status"]:
            statuses.append(report["data"]["status"])
        if report["data"]["status"] == "ready":
            break
        time.sleep(0.05)
    assert statuses[0] in ("queued", "processing") and statuses[-1] == "ready"
    assert report["data"]["data"] is not None


def test_the_banner_names_the_url_the_keys_and_the_docs(server: RunningServer) -> None:
    banner, doors, store = server.log.read_text().splitlines()[:3]
    assert server.url in banner and WS_KEY in banner and f"{server.url}/ui/" in banner
    assert doors == (f"control plane {server.url}/__mock: open (loopback only) | webhooks: any destination but "
                     "link-local, metadata and the mock itself")
    assert store == "store: memory (this process; --store redis://HOST:PORT/DB to share it among workers)"


def test_beyond_loopback_serve_needs_an_admin_token_or_an_explicit_opening() -> None:
    done = subprocess.run([SCRIPT, "serve", "--host", "0.0.0.0"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "--host 0.0.0.0 can be reached from other machines" in done.stderr and "--admin-token" in done.stderr
    assert "--open-control-plane" in done.stderr


def test_a_bad_fixture_file_stops_start_up_with_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "world.yaml"
    bad.write_text("users:\n  - {id: nope, name: X, email: x@example.com, apiKey: sk_user_1}\n")
    done = subprocess.run([SCRIPT, "serve", "--fixtures", str(bad)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert str(bad) in done.stderr and "users[0]: 'id' must be a 24-hex id" in done.stderr


def test_a_bad_environment_setting_names_the_variable() -> None:
    env = {**os.environ, "SENDKIT_MOCK_FAILURE_RATE": "lots"}
    done = subprocess.run([SCRIPT, "serve"], capture_output=True, text=True, timeout=30, env=env)
    assert done.returncode == 2 and "SENDKIT_MOCK_FAILURE_RATE='lots'" in done.stderr


def test_python_dash_m_runs_the_same_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "sendkit_mock", "serve", "--help"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and "--seed" in done.stdout


def test_concurrent_clients_lose_no_report(server: RunningServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    base, _ = server
    headers = {"X-Api-Key": WS_KEY}

    def create(_: int) -> list[str]:
        with requests.Session() as session:
            return [
                session.post(f"{base}/v1/reports", headers=headers, json=SEED_BODY, timeout=10).json()["data"]["reports"][0]["id"]
                for _ in range(10)
            ]

    with ThreadPoolExecutor(8) as pool:
        ids = [rid for batch in pool.map(create, range(8)) for rid in batch]
    assert len(set(ids)) == 80
    listed, cursor = [], None
    while True:
        query = f"{base}/v1/reports?limit=100" + (f"&cursor={cursor}" if cursor else "")
        page = requests.get(query, headers=headers, timeout=10).json()
        listed += [r["id"] for r in page["data"]]
        if not page["pagination"]["hasMore"]:
            break
        cursor = page["pagination"]["nextCursor"]
    assert set(ids) <= set(listed) and len(listed) == len(set(listed)) == page["pagination"]["total"]


def test_serve_state_loads_a_saved_session_and_a_bad_file_stops_start_up(tmp_path: Path) -> None:
    from sendkit_mock import ManualClock, Settings, create_mock

    from .conftest import running

    mock = create_mock(Settings(), clock=ManualClock())
    with mock.app.test_client() as client:
        rid = client.post("/v1/reports", json=SEED_BODY, headers={"X-Api-Key": WS_KEY}).json()["data"]["reports"][0]["id"]
        saved = tmp_path / "state.json"
        saved.write_bytes(client.get("/__mock/state").content)  # the whole answer, as curl would save it
    with running(tmp_path / "server.log", "--state", str(saved)) as served:
        report = requests.get(f"{served.url}/v1/reports/{rid}", headers={"X-Api-Key": WS_KEY}, timeout=5).json()
        assert report["data"]["id"] == rid
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "clock": {}, "ids": {}, "reports": [{}], "recipients": [], "webhooks": [],'
                   ' "outbox": [], "attempts": [], "journal": []}')
    done = subprocess.run([SCRIPT, "serve", "--state", str(bad)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert str(bad) in done.stderr and "clock: Missing field 'mode'" in done.stderr and "reports[0]" in done.stderr


def test_the_access_log_is_on_by_default_and_can_be_turned_off(tmp_path: Path) -> None:
    from .conftest import running

    for flags, logged in (((), True), (("--no-access-log",), False)):
        with running(tmp_path / "server.log", *flags) as server:
            requests.get(f"{server.url}/v1/reports", headers={"X-Api-Key": WS_KEY}, timeout=5)
            time.sleep(0.2)
            text = server.log.read_text()
        assert ('"GET /v1/reports HTTP/1.1" 200' in text) is logged, text
