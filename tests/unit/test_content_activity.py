"""The activity model: which days count, daily series that sum consistently, volumes the world can carry."""

import random
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendkit_mock.domain.content.activity import POOL_DAYS, Activity, apportion, split
from sendkit_mock.domain.content.calendar import ReportWindow, span
from sendkit_mock.domain.content.series import CYCLE, EPOCH, Levels, Series, binomial
from sendkit_mock.domain.periods import Period, parse_bound, resolve_period
from sendkit_mock.domain.world import Campaign, World, load_world
from sendkit_mock.resources import default_fixtures_path

WORLD: World = load_world(default_fixtures_path())
CAMPAIGNS = [(w, c) for w in WORLD.workspaces for c in w.campaigns]
CREATED = datetime(2026, 4, 17, 10, 0, tzinfo=UTC)
DAY = date(2026, 4, 17).toordinal()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- calendar -------------------------------------------------------------------------------------


def test_a_date_period_counts_its_days_up_to_the_day_the_report_was_created() -> None:
    period = resolve_period("2026-04-01", "2026-04-30", CREATED.date())
    window = ReportWindow.of(period, CREATED)
    assert window.current.days == range(date(2026, 4, 1).toordinal(), DAY + 1)  # today has begun: it counts
    assert len(window.previous.days) == 30
    assert window.previous.days.stop == window.current.days.start
    assert window.today == range(DAY, DAY + 1)


def test_a_period_wholly_after_the_creation_counts_no_day() -> None:
    assert len(span(at("2026-05-01T00:00"), at("2026-06-01T00:00"), CREATED).days) == 0


def test_a_day_counts_when_it_starts_inside_the_period() -> None:
    assert span(at("2026-04-10T10:00"), at("2026-04-11T10:00"), CREATED).days == range(DAY - 6, DAY - 5)
    assert span(at("2026-04-10T10:00"), at("2026-04-10T20:00"), CREATED).days == range(DAY - 6, DAY - 6)


def test_a_report_created_at_midnight_has_no_today_yet() -> None:
    midnight = at("2026-04-17T00:00")
    assert ReportWindow.of(
        resolve_period("2026-04-01", "2026-04-17", midnight.date()), midnight
    ).today == range(DAY, DAY)


def test_a_period_from_year_one_has_an_empty_previous_period() -> None:
    # The API refuses such a period; the generator stays safe with one all the same.
    (start, start_text), (end, end_text) = parse_bound("0001-01-01", is_end=False), parse_bound("2026-04-17", is_end=True)
    period = Period(start, end, start_text, end_text)
    assert len(ReportWindow.of(period, CREATED).previous.days) == 0


# --- series ---------------------------------------------------------------------------------------


def a_series(seed: int) -> Series:
    rng = random.Random(seed)
    table = [
        (s := rng.randint(0, 9), 0, s // 2, 0, s // 3, 0, 0) if slot % 7 < 5 else (0,) * 7
        for slot in range(28)
    ]
    return Series(table, rng.getrandbits(64), Levels(rng.getrandbits(64), (DAY - 600 - EPOCH) // CYCLE))


@settings(max_examples=200)
@given(st.integers(0, 10**6), st.integers(DAY - 3000, DAY + 3000), st.integers(0, 400), st.integers(0, 400))
def test_series_totals_add_up_over_adjacent_spans_and_match_the_days(
    seed: int, a: int, b: int, c: int
) -> None:
    series = a_series(seed).within(DAY - 500, None if seed % 2 else DAY + 200)
    whole = series.total(range(a, a + b + c))
    parts = [
        x + y
        for x, y in zip(series.total(range(a, a + b)), series.total(range(a + b, a + b + c)), strict=True)
    ]
    assert list(whole) == parts
    if 0 < b <= 60:
        days = [series.on(d) for d in range(a, a + b)]
        assert list(series.total(range(a, a + b))) == [sum(col) for col in zip(*days, strict=True)]


@given(st.integers(0, 2**64 - 1), st.integers(-50, 50), st.integers(0, 100), st.integers(-20, 20))
def test_level_counts_match_the_levels_before_and_after_the_origin(
    key: int, first: int, size: int, o: int
) -> None:
    levels = Levels(key, o)
    counted = levels.counts(first, first + size)
    assert counted == tuple([levels.level(b) for b in range(first, first + size)].count(i) for i in range(4))


def test_weekends_send_nothing() -> None:
    series = a_series(1)
    saturday = date(2026, 4, 18).toordinal()
    assert series.on(saturday) == (0,) * 7 and series.on(saturday + 1) == (0,) * 7


@given(st.integers(0, 10**6), st.integers(0, 400), st.floats(0, 1))
def test_binomial_draws_stay_within_zero_and_n(seed: int, n: int, p: float) -> None:
    assert 0 <= binomial(random.Random(seed), n, p) <= n


@given(st.integers(0, 10**6), st.lists(st.integers(0, 50), min_size=1, max_size=6))
def test_apportion_and_split_share_out_the_whole_total(total: int, weights: list[int]) -> None:
    shares = apportion(total, weights)
    assert sum(shares) == total and all(s >= 0 for s in shares)
    parts = split(random.Random(total), total % 500, tuple(float(w) + 0.5 for w in weights))
    assert sum(parts) == total % 500 and all(p >= 0 for p in parts)


# --- the world's activity -------------------------------------------------------------------------


def test_a_draft_campaign_has_nothing_to_send() -> None:
    activity = Activity(WORLD, 42)
    drafts = [c for _, c in CAMPAIGNS if c.status == "draft"]
    assert drafts and all(activity.streams(c) == () for c in drafts)


def test_completed_campaigns_stopped_before_the_fixtures_day_and_active_ones_keep_sending() -> None:
    activity = Activity(WORLD, 42)
    recent = range(DAY - 2, DAY + 60)
    for _, campaign in CAMPAIGNS:
        sent = sum(step.sent for stream in activity.streams(campaign) for step in stream.totals(recent))
        if campaign.status in ("completed", "archived", "paused"):
            assert sent == 0, campaign.name
        if campaign.status == "active":
            assert sent > 0, campaign.name


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.integers(DAY - 900, DAY + 300))
def test_no_mailbox_sends_more_than_its_daily_limit(seed: int, day: int) -> None:
    activity = Activity(WORLD, seed)
    for workspace in WORLD.workspaces:
        for mailbox in workspace.mailboxes:
            for offset in range(0, 21, 3):
                sent = sum(
                    stream.sent_on(day + offset)
                    for campaign in workspace.campaigns
                    for stream in activity.streams(campaign)
                    if stream.mailbox_id == mailbox.id
                )
                assert sent <= mailbox.daily_send_limit


def step_sends(activity: Activity, campaign: Campaign, days: range) -> list[int]:
    per_step = [0] * len(campaign.sequence)
    for stream in activity.streams(campaign):
        for index, stats in enumerate(stream.totals(days)):
            per_step[index] += stats.sent
    return per_step


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.integers(DAY - 1500, DAY + 400), st.integers(1, 4000))
def test_each_step_reaches_at_most_the_campaigns_leads(seed: int, first: int, length: int) -> None:
    """Finished campaigns send each step once per lead at most; active ones at most `leads` per 30 days."""
    activity = Activity(WORLD, seed)
    days = range(first, first + length)
    for _, campaign in CAMPAIGNS:
        allowance = (
            campaign.leads * max(1, -(-length // POOL_DAYS))
            if campaign.status == "active"
            else campaign.leads
        )
        assert all(sent <= allowance for sent in step_sends(activity, campaign, days)), campaign.name


@pytest.mark.parametrize("seed", [1, 42, 2026])
def test_ten_years_of_sending_stay_within_the_worlds_capacity(seed: int) -> None:
    activity = Activity(WORLD, seed)
    ten_years = range(DAY - 3652, DAY)
    sends = sum(sum(step_sends(activity, c, ten_years)) for _, c in CAMPAIGNS)
    capacity = sum(m.daily_send_limit for w in WORLD.workspaces for m in w.mailboxes) * len(ten_years)
    assert 0 < sends <= capacity
    assert sum(sum(step_sends(activity, c, range(DAY, DAY + 1))) for _, c in CAMPAIGNS) <= capacity // 3652
