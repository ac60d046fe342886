"""The README's first screen stays true: its curl body and the ids it promises for the default seed."""

import json
import re
from pathlib import Path

from sendkit_mock import ManualClock, Settings, create_mock

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_the_quick_start_gives_the_ids_the_readme_shows() -> None:
    quick_start = README[README.index("## Try it now"):README.index("## Offline keys")]
    key = re.search(r'X-Api-Key: (sk_[0-9a-f]+)"', quick_start)
    body = re.search(r"-d '(\{.*?\})'", quick_start, re.S)
    shown = re.findall(r'"id":"([0-9a-f]{24})"', quick_start)
    assert key and body and len(shown) == 2
    assert Settings().seed == 42  # the README promises these ids for the default seed
    mock = create_mock(Settings(), clock=ManualClock())
    with mock.app.test_client() as client:
        created = client.post("/v1/reports", json=json.loads(body.group(1)), headers={"X-Api-Key": key.group(1)})
        assert [r["id"] for r in created.json()["data"]["reports"]] == shown
        mock.advance(5)
        fetched = client.get(f"/v1/reports/{shown[0]}", headers={"Authorization": f"Bearer {key.group(1)}"})
        assert fetched.json()["data"]["status"] == "ready"
