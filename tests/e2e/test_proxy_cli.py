"""`sendkit-mock proxy` as a user starts it, in front of `sendkit-mock serve`: the banner, an answer passed
through, a violation logged and journaled."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from ..conftest import SEED_BODY, WS_KEY
from .conftest import RunningServer, running

pytestmark = pytest.mark.e2e


def test_the_proxy_forwards_logs_and_journals(server: RunningServer, tmp_path: Path) -> None:
    with running(tmp_path / "proxy.log", "--upstream", server.url, command="proxy") as proxy:
        created = requests.post(f"{proxy.url}/v1/reports", json=SEED_BODY, headers={"X-Api-Key": WS_KEY})
        assert created.status_code == 201 and len(created.json()["data"]["reports"]) == 2
        refused = requests.post(f"{proxy.url}/v1/reports", json={"reportType": "daily"}, headers={"X-Api-Key": WS_KEY})
        assert refused.status_code == 400
        entries = requests.get(f"{proxy.url}/__mock/requests?path=/v1/reports").json()["data"]
        assert [e["status"] for e in entries] == [400, 201]
        assert entries[0]["violations"][0]["field"] == "reportType"
        assert entries[0]["responseViolations"] == [] and entries[1]["violations"] == []
        log = proxy.log.read_text()
        assert f"-> {server.url} | checked against openapi.yaml" in log
        assert "POST /v1/reports: request: reportType: Must be one of" in log
