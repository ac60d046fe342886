"""`serve --watch`: edit the fixtures while the server runs; the world changes, the reports made stay."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import requests

from sendkit_mock.resources import default_fixtures_path

from ..conftest import WS_KEY
from .conftest import running

HEADERS = {"X-Api-Key": WS_KEY}


def eventually(check: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_an_edited_fixture_file_reloads_the_world_and_keeps_every_report(tmp_path: Path) -> None:
    world = tmp_path / "world.yaml"
    shutil.copy(default_fixtures_path(), world)
    with running(tmp_path / "server.log", "--watch", "--fixtures", str(world), "--clock", "manual") as server:
        def create() -> dict[str, str]:
            made = requests.post(f"{server.url}/v1/reports", json={"reportType": "workspace"}, headers=HEADERS,
                                 timeout=5)
            assert made.status_code == 201, made.text
            return made.json()["data"]["reports"][0]  # type: ignore[no-any-return]

        first = create()
        assert first["title"] == "Brightwave Growth Workspace Report"
        requests.post(f"{server.url}/__mock/clock", json={"advance": 60}, timeout=5)
        assert requests.patch(f"{server.url}/__mock/settings", json={"processingSeconds": 7},
                              timeout=5).status_code == 200
        recipient = requests.post(f"{server.url}/v1/reports/recipients", json={"name": "Kai", "email": "kai@example.com"},
                                  headers=HEADERS, timeout=5).json()["data"]["_id"]
        hook = requests.post(f"{server.url}/v1/webhooks", json={"name": "h", "url": "http://127.0.0.1:9/h",
                                                                "events": ["report.ready"]}, headers=HEADERS,
                             timeout=5).json()["data"]["_id"]
        world.write_text(world.read_text().replace("name: Brightwave Growth\n", "name: Brightwave North\n"))
        assert eventually(lambda: "reloaded after a change to world.yaml" in server.log.read_text())
        second = create()
        assert second["title"] == "Brightwave North Workspace Report"  # the new world
        assert second["id"] == "e5da01e21d7cf992b379a94d"  # the seed's second id: the id sequence went on
        kept = requests.get(f"{server.url}/v1/reports/{first['id']}", headers=HEADERS, timeout=5).json()["data"]
        assert kept["status"] == "ready"  # the report, and the session's clock moved before the reload, kept
        assert requests.get(f"{server.url}/__mock/settings", timeout=5).json()["data"]["processingSeconds"] == 7
        for path in (f"/v1/reports/recipients/{recipient}", f"/v1/webhooks/{hook}"):
            assert requests.get(server.url + path, headers=HEADERS, timeout=5).status_code == 200
        journal = requests.get(f"{server.url}/__mock/requests", timeout=5).json()["data"]
        assert [e["method"] for e in journal][2:] == ["GET", "POST", "POST", "POST", "POST"]  # from before on

        good = world.read_text()
        world.write_text(good + "\nworkspaces: [\n")  # a mistake
        assert eventually(lambda: "kept the previous world" in server.log.read_text())
        assert "world.yaml" in server.log.read_text().split("kept the previous world")[-1]
        assert create()["title"] == "Brightwave North Workspace Report"  # still served, by the previous world
        world.write_text(good.replace("name: Brightwave North\n", "name: Brightwave South\n"))
        assert eventually(lambda: server.log.read_text().count("reloaded after a change") == 2)
        assert create()["title"] == "Brightwave South Workspace Report"
        listed = requests.get(f"{server.url}/v1/reports", headers=HEADERS, timeout=5).json()
        assert listed["pagination"]["total"] == 4
