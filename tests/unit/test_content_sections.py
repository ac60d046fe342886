"""Each section generator on the default world, and the factory that assembles them."""

from __future__ import annotations

import copy
import json
import pickle
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from sendkit_mock.domain.auth import Scope
from sendkit_mock.domain.content import ContentFactory
from sendkit_mock.domain.content.campaigns import best_step
from sendkit_mock.domain.content.mailboxes import health
from sendkit_mock.domain.content.stats import COUNT_FIELDS, Stats
from sendkit_mock.domain.lifecycle import Lifecycle
from sendkit_mock.domain.periods import resolve_period
from sendkit_mock.domain.reports import SECTION_NAMES, Report, Sections
from sendkit_mock.domain.world import Campaign, Mailbox, Step, World, load_world
from sendkit_mock.resources import default_fixtures_path

from ..conftest import SEED_CAMPAIGNS, START, WS2_ID, WS_ID

WORLD: World = load_world(default_fixtures_path())
MAYA = "6650c0ffee0000000000a001"
UNHEALTHY = "6651b0a1c2d3e4f5a6b7c805"
DRAFT = "664f0a1b2c3d4e5f6a7b8c0c"


def make_report(
    kind: str = "workspace",
    *,
    workspace_id: str | None = WS_ID,
    campaign_ids: tuple[str, ...] = (),
    start: str | None = "2026-01-01",
    end: str | None = "2026-04-17",
    created: datetime = START,
    sections: dict[str, bool] | None = None,
    report_id: str = "666f1a2b3c4d5e6f7a8b9c10",
) -> Report:
    scope = Scope("user", MAYA) if workspace_id is None else Scope("workspace", workspace_id)
    return Report(
        id=report_id,
        seq=1,
        scope=scope,
        workspace_id=workspace_id,
        user_id=MAYA,
        title="A report",
        report_type=kind,
        campaign_ids=campaign_ids,
        period=resolve_period(start, end, created.date()),
        sections=Sections.from_json(sections),
        recipient_ids=(),
        timeline=Lifecycle().plan(report_id, created),
    )


def build(report: Report, seed: int = 42) -> dict[str, Any]:
    return ContentFactory(WORLD, seed)(report)


def counts(entry: dict[str, Any]) -> dict[str, int]:
    return {name: entry[name] for name in COUNT_FIELDS}


def test_a_campaign_report_covers_its_campaign_and_the_mailboxes_it_sends_from() -> None:
    data = build(make_report("campaign", campaign_ids=(SEED_CAMPAIGNS[0],)))
    [entry] = data["campaignPerformance"]
    campaign = WORLD.workspaces[0].campaigns_by_id[SEED_CAMPAIGNS[0]]
    assert entry["campaign"] == {"id": campaign.id, "name": "Q1 Outreach", "status": "active"}
    assert [m["_id"] for m in data["mailboxHealth"]] == list(campaign.mailbox_ids)
    assert data["executiveSummary"]["totals"] == entry["stats"]
    assert data["executiveSummary"]["totalCampaigns"] == 1


def test_step_stats_follow_the_sequence_from_step_0_and_sum_to_the_campaign() -> None:
    [entry] = build(make_report("campaign", campaign_ids=(SEED_CAMPAIGNS[0],)))["campaignPerformance"]
    subjects = [s.subject for s in WORLD.workspaces[0].campaigns_by_id[SEED_CAMPAIGNS[0]].sequence]
    assert [(s["step"], s["subject"]) for s in entry["stepStats"]] == list(enumerate(subjects))
    for name in COUNT_FIELDS:
        assert sum(s[name] for s in entry["stepStats"]) == entry["stats"][name]
    assert entry["stats"]["sent"] > 0


def test_the_best_step_has_the_highest_exact_reply_rate() -> None:
    campaign = Campaign("c" * 24, "C", "active", 10, (), (Step("a", 0), Step("b", 2), Step("c", 3)))
    steps = [
        Stats(sent=100, delivered=100, replied=5),
        Stats(sent=60, delivered=60, replied=3),
        Stats(sent=30, delivered=29, replied=2),
    ]
    assert best_step(campaign, steps) == {"step": 2, "subject": "c", "replyRate": "6.9", "replied": 2}
    tie = [Stats(sent=10, delivered=10, replied=1), Stats(sent=20, delivered=20, replied=2), Stats()]
    assert best_step(campaign, tie)["step"] == 1  # type: ignore[index]  # same rate: more replies wins
    assert best_step(campaign, [Stats(sent=5, delivered=5), Stats(), Stats()]) is None


def test_a_workspace_report_covers_every_campaign_including_the_draft_which_sent_nothing() -> None:
    data = build(make_report())
    entries = data["campaignPerformance"]
    assert [e["campaign"]["id"] for e in entries] == [c.id for c in WORLD.workspaces[0].campaigns]
    [draft] = [e for e in entries if e["campaign"]["id"] == DRAFT]
    assert set(draft["stats"].values()) == {0} and draft["bestStep"] is None
    assert set(draft["rates"].values()) == {"0.0"}
    assert len(data["mailboxHealth"]) == len(WORLD.workspaces[0].mailboxes)


def test_the_unhealthy_mailbox_scores_low_and_says_why() -> None:
    entries = {m["_id"]: m for m in build(make_report())["mailboxHealth"]}
    bad = entries[UNHEALTHY]
    assert bad["status"] == "error" and bad["healthStatus"] == "critical" and bad["healthScore"] < 50
    assert bad["dns"] == {
        "spf": {"status": "fail"},
        "dkim": {"status": "fail"},
        "dmarc": {"status": "missing"},
    }
    assert {
        "SPF record fails",
        "DKIM record fails",
        "DMARC record is missing",
        "Mailbox status is error",
    } <= set(bad["issues"])
    healthy = [
        m for m in entries.values() if m["dns"] == {k: {"status": "pass"} for k in ("spf", "dkim", "dmarc")}
    ]
    assert healthy and all(m["healthScore"] >= 80 for m in healthy if m["status"] == "active")
    assert all(
        m["sentToday"] <= m["dailySendLimit"] and m["bounceRate"] == m["rates"]["bounce"]
        for m in entries.values()
    )


def mailbox(status: str = "active", **dns: str) -> Mailbox:
    records = {"spf": "pass", "dkim": "pass", "dmarc": "pass", **dns}
    return Mailbox("m" * 24, "a@b.io", "A", "gmail", status, 50, False, "completed", records)


@pytest.mark.parametrize(
    ("box", "stats", "score"),
    [
        (mailbox(), Stats(), 100),
        (mailbox(dmarc="warning"), Stats(), 92),
        (mailbox("warming_up", dkim="warning"), Stats(), 87),
        (mailbox(), Stats(sent=100, delivered=95, bounced=5), 85),  # 5.0 %: 3 points over, -15
        (mailbox(), Stats(sent=100, delivered=60, bounced=40), 70),  # capped at -30
        (mailbox("error", spf="fail", dkim="fail", dmarc="missing"), Stats(), 0),
    ],
)
def test_the_health_score_follows_the_documented_penalties(box: Mailbox, stats: Stats, score: int) -> None:
    assert health(box, stats)[0] == score


def test_the_summary_and_highlights_are_written_from_the_sections_numbers() -> None:
    summary = build(make_report())["executiveSummary"]
    totals, rates = summary["totals"], summary["rates"]
    text = summary["summary"]
    assert f"{totals['sent']:,} emails" in text and f"{totals['delivered']:,} were delivered" in text
    assert f"({rates['open']}%)" in text and f"({rates['reply']}%)" in text
    assert f"{summary['previousPeriod']['totals']['sent']:,} emails" in text
    assert "Jan 1, 2026" in text
    joined = " ".join(summary["highlights"])
    assert f"{totals['positiveReplied']:,} of {totals['replied']:,} replies were positive" in joined
    assert "team@brightwave-mail.co needs attention" in joined
    assert 1 <= len(summary["highlights"]) <= 6


def test_the_previous_period_has_the_same_length_and_ends_where_the_period_starts() -> None:
    summary = build(make_report(start="2026-03-01", end="2026-03-31"))["executiveSummary"]
    assert summary["previousPeriod"]["periodStart"] == "2026-01-29"
    assert summary["previousPeriod"]["periodEnd"] == "2026-02-28"
    instants = build(make_report(start="2026-03-01T12:00:00Z", end="2026-03-02T12:00:00Z"))[
        "executiveSummary"
    ]
    assert instants["previousPeriod"]["periodStart"] == "2026-02-28T12:00:00.000Z"
    assert instants["previousPeriod"]["periodEnd"] == "2026-03-01T12:00:00.000Z"


def test_an_organizational_report_covers_the_users_workspaces_and_breaks_the_totals_down() -> None:
    data = build(make_report("organizational", workspace_id=None))
    summary = data["executiveSummary"]
    assert [w["workspace"]["id"] for w in summary["workspaces"]] == [WS_ID, WS2_ID]
    for name in COUNT_FIELDS:
        assert sum(w["totals"][name] for w in summary["workspaces"]) == summary["totals"][name]
    assert {e["workspace"]["id"] for e in data["campaignPerformance"]} == {WS_ID, WS2_ID}
    assert len(data["mailboxHealth"]) == 6
    assert (
        summary["summary"].startswith("Maya Chen's 2 workspaces sent")
        or "Maya Chen's 2 workspaces" in summary["summary"]
    )


@pytest.mark.parametrize("enabled", [(a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1)])
def test_only_the_enabled_sections_are_present(enabled: tuple[int, int, int]) -> None:
    sections = dict(zip(SECTION_NAMES, map(bool, enabled), strict=True))
    data = build(make_report(sections=sections))
    assert list(data) == [name for name in SECTION_NAMES if sections[name]]


def test_a_period_after_the_creation_counts_zeros_not_an_error() -> None:
    data = build(make_report(start="2026-05-01", end="2026-05-31"))
    assert set(data["executiveSummary"]["totals"].values()) == {0}
    assert (
        "sent no emails" in data["executiveSummary"]["summary"]
        or "No emails went out" in data["executiveSummary"]["summary"]
    )
    assert all(set(e["stats"].values()) == {0} for e in data["campaignPerformance"])


def test_a_period_partly_ahead_counts_only_its_past_part() -> None:
    running = build(make_report(start="2026-04-01", end="2026-04-30"))
    past = build(make_report(start="2026-04-01", end="2026-04-17", created=datetime(2026, 6, 1, tzinfo=UTC)))
    assert running["executiveSummary"]["totals"] == past["executiveSummary"]["totals"]
    assert running["campaignPerformance"] == past["campaignPerformance"]


def test_the_same_report_and_seed_give_the_same_bytes_and_another_seed_other_data() -> None:
    report = make_report("organizational", workspace_id=None)
    first, again = json.dumps(build(report)), json.dumps(ContentFactory(WORLD, 42)(report))
    assert first == again
    assert json.dumps(build(report, seed=43)) != first


def test_the_factory_serves_read_only_data_from_its_cache_and_leaves_global_randomness_alone() -> None:
    factory, report = ContentFactory(WORLD, 42, cache_size=2), make_report()
    state = random.getstate()
    first = factory(report)
    with pytest.raises(TypeError, match="copy.deepcopy"):
        first["executiveSummary"]["totals"]["sent"] = -1
    with pytest.raises(TypeError):
        first["campaignPerformance"].append({})
    assert factory(report) is first and first["executiveSummary"]["totals"]["sent"] >= 0
    changed = copy.deepcopy(first)
    changed["campaignPerformance"].append({})  # a copy is the caller's own
    assert json.dumps(changed) != json.dumps(first) and pickle.loads(pickle.dumps(first)) == first
    for n in range(3):  # evicts the first report; rebuilt, it is the same
        factory(make_report(report_id=f"{n:024x}"))
    assert factory(report) == factory.build(report)
    assert random.getstate() == state
