"""A faulted answer breaks the connection it came on, whatever the request says of its client."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.conftest import WS_KEY
from tests.e2e.conftest import running

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("fault", ["connection-reset", "empty-response"])
def test_x_forwarded_for_does_not_turn_a_fault_into_a_500(tmp_path: Path, fault: str) -> None:
    with running(tmp_path / "server.log") as server:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{server.url}/v1/reports?__fault={fault}", timeout=5,
                         headers={"X-Api-Key": WS_KEY, "X-Forwarded-For": "203.0.113.9"})
        assert requests.get(f"{server.url}/v1/reports", headers={"X-Api-Key": WS_KEY}, timeout=5).status_code == 200
    log = server.log.read_text()
    assert "Traceback" not in log and " 500 " not in log
