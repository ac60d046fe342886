"""serve --watch's swap, in-process: a new mock over the same sessions, or the old one kept when the files are wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sendkit_mock import ManualClock, Settings, create_mock
from sendkit_mock.domain.world import FixtureError, load_world
from sendkit_mock.resources import default_fixtures_path
from sendkit_mock.runtime.reloading import Reloading

from ..conftest import SEED_BODY, START, ws


def test_a_reload_carries_every_session_over_and_a_wrong_file_keeps_the_old_world(tmp_path: Path) -> None:
    clock, worlds = ManualClock(START), [load_world(default_fixtures_path())]

    def build(previous: Any) -> Any:
        if worlds[-1] is None:
            raise FixtureError(f"{tmp_path / 'world.yaml'}: workspaces[0].name: required")
        return create_mock(Settings(), clock=clock, world=worlds[-1], keep=previous)

    served = Reloading(build, [tmp_path / "world.yaml"])
    first = served.mock
    made = first.app.test_client().post("/v1/reports", json=SEED_BODY, headers=ws(**{"X-Mock-Session": "a"}))
    assert made.status_code == 201
    assert served.reload() and served.mock is not first and served.error is None
    got = served.mock.app.test_client().get(f"/v1/reports/{made.json()['data']['reports'][0]['id']}",
                                            headers=ws(**{"X-Mock-Session": "a"}))
    assert got.status_code == 200  # the session and its report, in the new mock
    current = served.mock
    worlds.append(None)
    assert not served.reload() and served.mock is current
    assert served.error is not None and "workspaces[0].name" in served.error
    reload = current.app.test_client().get("/__mock/server").json()["data"]["reload"]
    assert reload["reloads"] == 1 and "workspaces[0].name" in reload["error"]  # for the dashboard's banner


def test_a_changed_contract_is_served_after_a_reload_and_a_broken_one_keeps_the_old(
        tmp_path: Path, monkeypatch: Any) -> None:
    import sendkit_mock.app as composition
    from sendkit_mock.resources import spec_path

    spec = tmp_path / "openapi.yaml"
    spec.write_text(spec_path().read_text())
    monkeypatch.setattr(composition, "spec_path", lambda: spec)
    clock = ManualClock(START)
    served = Reloading(lambda previous: create_mock(Settings(), clock=clock, keep=previous), [spec])
    made = served.mock.app.test_client().post("/v1/reports", json=SEED_BODY, headers=ws())
    rid = made.json()["data"]["reports"][0]["id"]
    title = served.mock.app.test_client().get("/openapi.json").json()["info"]["title"]
    spec.write_text(spec.read_text().replace(f"title: {title}", "title: SendKit Reports API, edited", 1))
    assert served.reload([spec]) and served.error is None
    client = served.mock.app.test_client()
    assert client.get("/openapi.json").json()["info"]["title"] == "SendKit Reports API, edited"
    assert client.get(f"/v1/reports/{rid}", headers=ws()).status_code == 200  # the report outlived the swap
    current = served.mock
    spec.write_text("openapi: 3.0.3\npaths: [not, a, mapping\n")
    assert not served.reload([spec]) and served.mock is current and served.error
    assert current.app.test_client().get("/openapi.json").json()["info"]["title"] == "SendKit Reports API, edited"
