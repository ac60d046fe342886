"""A ready report's `data` through the app: exactly the enabled sections, checked by the runtime response
validation against openapi.yaml, and the same bytes for the same seed across app instances."""

from __future__ import annotations

from typing import Any

import pytest

from sendkit_mock import ManualClock, Mock, Settings, create_mock
from sendkit_mock.domain.reports import SECTION_NAMES

from ..conftest import PLATFORM_KEY, SEED_BODY, SEED_CAMPAIGNS, START, WS_KEY, ws

ALL_OFF = dict.fromkeys(SECTION_NAMES, False)
SECTION_CASES = [
    {"executiveSummary": True, "campaignPerformance": True, "mailboxHealth": True},
    {"executiveSummary": True, "campaignPerformance": False, "mailboxHealth": False},
    {"executiveSummary": False, "campaignPerformance": True, "mailboxHealth": True},
    {"executiveSummary": False, "campaignPerformance": False, "mailboxHealth": True},
    ALL_OFF,
]
BODIES = {
    "campaign": ({"reportType": "campaign", "campaignIds": SEED_CAMPAIGNS[:1]}, WS_KEY),
    "workspace": ({"reportType": "workspace"}, WS_KEY),
    "organizational": ({"reportType": "organizational"}, PLATFORM_KEY),
}
PERIOD = {"periodStart": "2026-01-01", "periodEnd": "2026-04-17"}


def create(client: Any, body: dict[str, Any], key: str = WS_KEY) -> list[str]:
    response = client.post("/v1/reports", json=body, headers=ws(key))
    assert response.status_code == 201, response.text
    return [r["id"] for r in response.json()["data"]["reports"]]


def read(client: Any, rid: str, key: str = WS_KEY) -> Any:
    response = client.get(f"/v1/reports/{rid}", headers=ws(key))  # a platform key without X-Workspace-Id
    assert response.status_code == 200, response.text  # reads the user's organizational reports
    return response


@pytest.mark.parametrize(
    "sections", SECTION_CASES, ids=lambda s: "+".join(k for k, on in s.items() if on) or "none"
)
@pytest.mark.parametrize("report_type", list(BODIES))
def test_a_ready_report_carries_exactly_its_enabled_sections(
    client: Any, clock: ManualClock, report_type: str, sections: dict[str, bool]
) -> None:
    body, key = BODIES[report_type]
    [rid] = create(client, {**body, **PERIOD, "sections": sections}, key)
    assert read(client, rid, key).json()["data"]["data"] is None
    clock.advance(5)
    report = read(client, rid, key).json()["data"]
    assert report["status"] == "ready"
    assert list(report["data"]) == [name for name in SECTION_NAMES if sections[name]]


def test_each_report_of_a_campaign_request_covers_its_own_campaign(client: Any, clock: ManualClock) -> None:
    rids = create(client, {**SEED_BODY, "sections": {"mailboxHealth": True}})
    clock.advance(5)
    for rid, campaign_id in zip(rids, SEED_CAMPAIGNS, strict=True):
        data = read(client, rid).json()["data"]["data"]
        [entry] = data["campaignPerformance"]
        assert entry["campaign"]["id"] == campaign_id
        assert data["executiveSummary"]["totals"] == entry["stats"]
        assert data["mailboxHealth"]


def test_an_organizational_report_breaks_its_totals_down_by_workspace(
    client: Any, clock: ManualClock
) -> None:
    [rid] = create(client, {"reportType": "organizational", **PERIOD}, PLATFORM_KEY)
    clock.advance(5)
    summary = read(client, rid, PLATFORM_KEY).json()["data"]["data"]["executiveSummary"]
    names = [w["workspace"]["name"] for w in summary["workspaces"]]
    assert names == ["Brightwave Growth", "Brightwave Partners"]
    assert sum(w["totals"]["sent"] for w in summary["workspaces"]) == summary["totals"]["sent"] > 0


def test_a_workspace_report_flags_the_unhealthy_mailbox(client: Any, clock: ManualClock) -> None:
    [rid] = create(client, {"reportType": "workspace", **PERIOD})
    clock.advance(5)
    mailboxes = read(client, rid).json()["data"]["data"]["mailboxHealth"]
    [bad] = [m for m in mailboxes if m["email"] == "team@brightwave-mail.co"]
    assert bad["healthStatus"] == "critical" and bad["healthScore"] < 50
    assert all(m["healthStatus"] != "critical" for m in mailboxes if m is not bad)


def test_a_period_after_the_creation_is_all_zeros(client: Any, clock: ManualClock) -> None:
    [rid] = create(
        client, {"reportType": "workspace", "periodStart": "2026-05-01", "periodEnd": "2026-05-31"}
    )
    clock.advance(5)
    data = read(client, rid).json()["data"]["data"]
    assert set(data["executiveSummary"]["totals"].values()) == {0}
    assert all(set(m["performance"].values()) == {0} for m in data["mailboxHealth"])


def test_data_that_breaks_the_schema_is_caught_by_response_validation(
    mock: Mock, client: Any, clock: ManualClock
) -> None:
    """The schema really checks `data`: a report shaped otherwise is a 500, not a 200."""
    [rid] = create(client, {"reportType": "workspace"})
    clock.advance(5)
    mock.service.content = lambda report: {"executiveSummary": {"totals": {"sent": "many"}}}
    response = client.get(f"/v1/reports/{rid}", headers=ws())
    assert response.status_code == 500
    assert response.json()["code"] == 500


def ready_report_bytes(seed: int, report_type: str) -> tuple[bytes, bytes]:
    """Build a fresh app, create one report, let it finish; its GET body, read twice."""
    clock = ManualClock(START)
    mock = create_mock(Settings(seed=seed), clock=clock)
    body, key = BODIES[report_type]
    with mock.app.test_client() as client:
        [rid] = create(client, {**body, **PERIOD}, key)
        clock.advance(5)
        return read(client, rid, key).content, read(client, rid, key).content


@pytest.mark.parametrize("report_type", list(BODIES))
def test_two_apps_with_the_same_seed_give_the_same_bytes(report_type: str) -> None:
    first, again = ready_report_bytes(42, report_type)
    assert first == again
    assert ready_report_bytes(42, report_type) == (first, first)


def test_another_seed_gives_other_data() -> None:
    def data(seed: int) -> Any:
        clock = ManualClock(START)
        mock = create_mock(Settings(seed=seed), clock=clock)
        with mock.app.test_client() as client:
            [rid] = create(client, {"reportType": "workspace", **PERIOD})
            clock.advance(5)
            return read(client, rid).json()["data"]["data"]

    assert data(42) != data(43)
