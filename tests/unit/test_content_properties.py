"""The rules report data always keeps, over many seeds, periods, scopes and creation instants."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30Validator

from sendkit_mock.domain.content import ContentFactory
from sendkit_mock.domain.content.calendar import span
from sendkit_mock.domain.content.stats import COUNT_FIELDS
from sendkit_mock.domain.reports import SECTION_NAMES, Report
from sendkit_mock.domain.world import World, load_world
from sendkit_mock.resources import default_fixtures_path, spec_path

from ..conftest import OTHER_WS_ID, WS2_ID, WS_ID
from .test_content_sections import make_report

WORLD: World = load_world(default_fixtures_path())
SPEC = yaml.safe_load(spec_path().read_text())
DATA_SCHEMA = OAS30Validator({"components": SPEC["components"], "$ref": "#/components/schemas/ReportData"})
RATE_BASES = {  # rate name -> (count, base)
    "open": ("opened", "delivered"),
    "click": ("clicked", "delivered"),
    "reply": ("replied", "delivered"),
    "positiveReply": ("positiveReplied", "delivered"),
    "unsubscribe": ("unsubscribed", "delivered"),
    "bounce": ("bounced", "sent"),
    "delivery": ("delivered", "sent"),
}
WORKSPACES = {w.id: w for w in WORLD.workspaces}


@st.composite
def reports(draw: st.DrawFn) -> Report:
    kind = draw(st.sampled_from(["campaign", "workspace", "organizational"]))
    workspace_id = None if kind == "organizational" else draw(st.sampled_from([WS_ID, WS2_ID, OTHER_WS_ID]))
    campaign_ids: tuple[str, ...] = ()
    if kind == "campaign":
        campaign_ids = (draw(st.sampled_from([c.id for c in WORKSPACES[workspace_id or WS_ID].campaigns])),)
    busy, anywhere = (
        st.dates(date(2025, 10, 1), date(2026, 4, 30)),
        st.dates(date(2022, 1, 1), date(2027, 6, 30)),
    )
    first = draw(st.one_of(busy, anywhere))
    length = draw(st.one_of(st.integers(1, 120), st.integers(1, 3700)))
    minutes = st.one_of(st.integers(0, 250 * 1440), st.integers(-400 * 1440, 400 * 1440))
    created = datetime(2026, 4, 17, tzinfo=UTC) + timedelta(minutes=draw(minutes))
    return make_report(
        kind,
        workspace_id=workspace_id,
        campaign_ids=campaign_ids,
        start=first.isoformat(),
        end=(first + timedelta(days=length - 1)).isoformat(),
        created=created,
        sections=dict(zip(SECTION_NAMES, draw(st.lists(st.booleans(), min_size=3, max_size=3)), strict=True)),
        report_id=draw(st.from_regex(r"\A[0-9a-f]{24}\Z")),
    )


def is_counts(node: Any) -> bool:
    return isinstance(node, dict) and all(isinstance(node.get(n), int) for n in COUNT_FIELDS)


def count_blocks(node: Any) -> Iterator[tuple[dict[str, int], dict[str, str] | None]]:
    """Every object holding the eight counts, with the rates kept beside it (sibling or inline)."""
    if isinstance(node, dict):
        if is_counts(node):
            yield node, node.get("rates")
        for value in node.values():
            if is_counts(value):
                yield value, node.get("rates")
            yield from count_blocks(value)
    elif isinstance(node, list):
        for item in node:
            yield from count_blocks(item)


def half_up(count: int, base: int) -> str:
    if base == 0:
        return "0.0"
    return str((Decimal(count) * 100 / Decimal(base)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def check_counts(counts: dict[str, int], rates: dict[str, str] | None) -> None:
    assert all(isinstance(counts[n], int) and counts[n] >= 0 for n in COUNT_FIELDS)
    assert counts["delivered"] + counts["bounced"] == counts["sent"]
    assert counts["opened"] <= counts["delivered"] and counts["clicked"] <= counts["opened"]
    assert counts["replied"] <= counts["delivered"] and counts["positiveReplied"] <= counts["replied"]
    assert counts["unsubscribed"] <= counts["delivered"]
    if rates is not None:
        assert rates == {name: half_up(counts[c], counts[b]) for name, (c, b) in RATE_BASES.items()}


def total(entries: list[dict[str, int]]) -> dict[str, int]:
    return {name: sum(e[name] for e in entries) for name in COUNT_FIELDS}


FACTORIES = {seed: ContentFactory(WORLD, seed) for seed in (0, 7, 42, 2**31 - 1)}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(FACTORIES)), reports())
def test_report_data_keeps_every_rule(seed: int, report: Report) -> None:
    data = FACTORIES[seed](report)
    assert not list(DATA_SCHEMA.iter_errors(data))
    assert list(data) == [
        n for n, on in zip(SECTION_NAMES, report.sections.to_json().values(), strict=True) if on
    ]
    blocks = list(count_blocks(data))
    assert blocks or not data
    for counts, rates in blocks:
        check_counts(counts, rates)
    summary, campaigns = data.get("executiveSummary"), data.get("campaignPerformance")
    for entry in campaigns or []:
        assert total(entry["stepStats"]) == entry["stats"]
    if summary and campaigns is not None:
        assert total([e["stats"] for e in campaigns]) == summary["totals"]
    if summary and report.report_type == "organizational":
        assert total([w["totals"] for w in summary["workspaces"]]) == summary["totals"]
    if summary and data.get("mailboxHealth") is not None:
        assert total([m["performance"] for m in data["mailboxHealth"]]) == summary["totals"]
    for mailbox in data.get("mailboxHealth", []):
        assert mailbox["sentToday"] <= mailbox["dailySendLimit"] and 0 <= mailbox["healthScore"] <= 100


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(FACTORIES)), reports())
def test_volumes_scale_with_the_counted_days_and_the_campaigns_size(seed: int, report: Report) -> None:
    report = make_report(
        report.report_type,
        workspace_id=report.workspace_id,
        campaign_ids=report.campaign_ids,
        start=report.period.start_text,
        end=report.period.end_text,
        created=report.timeline.created,
    )
    days = len(span(report.period.start, report.period.end, report.timeline.created).days)
    for entry in FACTORIES[seed](report)["campaignPerformance"]:
        workspace = WORKSPACES[entry["workspace"]["id"]]
        campaign = workspace.campaigns_by_id[entry["campaign"]["id"]]
        limits = sum(m.daily_send_limit for m in workspace.mailboxes if m.id in campaign.mailbox_ids)
        assert entry["stats"]["sent"] <= days * limits
        leads = campaign.leads * max(1, -(-days // 30))
        assert all(step["sent"] <= leads for step in entry["stepStats"])
        if campaign.status == "draft" or days == 0:
            assert entry["stats"]["sent"] == 0


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(sorted(FACTORIES)),
    st.dates(date(2024, 1, 1), date(2026, 4, 1)),
    st.integers(1, 200),
    st.integers(1, 200),
    st.sampled_from(["workspace", "organizational"]),
)
def test_adjacent_periods_add_up(seed: int, first: date, a: int, b: int, kind: str) -> None:
    """Daily counts are a function of the day: [x, y) and [y, z) add up to [x, z), whatever the request."""
    workspace_id = None if kind == "organizational" else WS_ID
    later = datetime(2027, 1, 1, tzinfo=UTC)

    def totals(start: date, days: int, report_id: str) -> dict[str, int]:
        end = (start + timedelta(days=days - 1)).isoformat()
        report = make_report(
            kind,
            workspace_id=workspace_id,
            start=start.isoformat(),
            end=end,
            created=later,
            report_id=report_id,
            sections={"campaignPerformance": False, "mailboxHealth": False},
        )
        return FACTORIES[seed](report)["executiveSummary"]["totals"]  # type: ignore[no-any-return]

    whole = totals(first, a + b, "a" * 24)
    assert whole == total([totals(first, a, "b" * 24), totals(first + timedelta(days=a), b, "c" * 24)])


@settings(max_examples=30, deadline=None)
@given(reports(), st.integers(0, 2**40), st.integers(0, 2**40))
def test_same_seed_same_bytes_and_another_seed_other_data(report: Report, seed: int, other: int) -> None:
    report = make_report("workspace", start="2026-01-01", end="2026-04-17", report_id=report.id)
    first = json.dumps(ContentFactory(WORLD, seed)(report))
    assert json.dumps(ContentFactory(WORLD, seed)(report)) == first
    if other != seed:
        assert json.dumps(ContentFactory(WORLD, other)(report)) != first
