"""Counts and rates: one-decimal strings, half-up from exact integers, "0.0" on a zero base."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendkit_mock.domain.content.stats import Stats, count_change, percent_change, rate


def expected(count: int, base: int) -> str:
    """The rule, written independently: Decimal percent, quantised half-up (away from zero) to 0.1."""
    return str((Decimal(count) * 100 / Decimal(base)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("count", "base", "text"),
    [
        (0, 0, "0.0"),
        (5, 0, "0.0"),
        (0, 7, "0.0"),
        (1, 8, "12.5"),
        (1, 16, "6.3"),
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (45, 100, "45.0"),
        (7, 7, "100.0"),
        (1, 2000, "0.1"),
        (1, 2001, "0.0"),
    ],
)
def test_rate_examples(count: int, base: int, text: str) -> None:
    assert rate(count, base) == text


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_rate_is_the_count_over_its_base_rounded_half_up(count: int, base: int) -> None:
    assert rate(count, base) == expected(count, base)


@given(st.integers(0, 10**7), st.integers(1, 10**7))
def test_percent_change_is_relative_to_the_previous_value(current: int, previous: int) -> None:
    delta = Decimal(current - previous) * 100 / Decimal(previous)
    text = str(delta.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    assert percent_change(current, previous) == ("0.0" if text == "-0.0" else text)


def test_percent_change_without_a_base_is_none() -> None:
    assert percent_change(10, 0) is None
    assert percent_change(0, 0) is None
    assert percent_change(0, 4) == "-100.0"


def test_rates_use_delivered_for_engagement_and_sent_for_bounce_and_delivery() -> None:
    stats = Stats(
        sent=200,
        delivered=190,
        opened=95,
        clicked=19,
        replied=10,
        positive_replied=4,
        bounced=10,
        unsubscribed=2,
    )
    assert stats.rates().to_json() == {
        "open": "50.0",
        "click": "10.0",
        "reply": "5.3",
        "positiveReply": "2.1",
        "bounce": "5.0",
        "delivery": "95.0",
        "unsubscribe": "1.1",
    }


def test_rate_change_is_the_difference_of_the_shown_rates_in_points() -> None:
    now = Stats(sent=100, delivered=100, opened=45)
    before = Stats(sent=100, delivered=100, opened=47, replied=1)
    change = now.rates().change_since(before.rates())
    assert change["open"] == "-2.0"
    assert change["reply"] == "-1.0"
    assert change["bounce"] == "0.0"


def test_stats_add_field_by_field_and_serialise_in_sendkit_names() -> None:
    total = Stats.total([Stats(1, 1, 1, 0, 0, 0, 0, 0), Stats(3, 2, 1, 1, 1, 1, 1, 1)])
    assert total.to_json() == {
        "sent": 4,
        "delivered": 3,
        "opened": 2,
        "clicked": 1,
        "replied": 1,
        "positiveReplied": 1,
        "bounced": 1,
        "unsubscribed": 1,
    }
    assert count_change(total, Stats(sent=2))["sent"] == "100.0"
    assert count_change(total, Stats(sent=2))["opened"] is None
