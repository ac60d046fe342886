from datetime import UTC, date, datetime

import pytest

from sendkit_mock.domain.periods import resolve_period
from sendkit_mock.errors import BadRequest

TODAY = date(2026, 4, 17)


def test_dates_cover_whole_days_and_echo_as_sent() -> None:
    period = resolve_period("2026-01-01", "2026-04-17", TODAY)
    assert period.start == datetime(2026, 1, 1, tzinfo=UTC)
    assert period.end == datetime(2026, 4, 18, tzinfo=UTC)
    assert (period.start_text, period.end_text, period.days) == ("2026-01-01", "2026-04-17", 107)


def test_a_single_day_is_a_valid_period() -> None:
    assert resolve_period("2026-02-02", "2026-02-02", TODAY).days == 1


def test_date_times_are_normalised_to_utc() -> None:
    period = resolve_period("2026-01-01T09:30:00+02:00", "2026-01-02T00:00:00Z", TODAY)
    assert period.start_text == "2026-01-01T07:30:00.000Z"
    assert period.end_text == "2026-01-02T00:00:00.000Z"


def test_the_default_period_is_the_30_days_ending_today() -> None:
    period = resolve_period(None, None, TODAY)
    assert (period.start_text, period.end_text, period.days) == ("2026-03-19", "2026-04-17", 30)


def test_bounds_in_reverse_order_are_refused_naming_the_end() -> None:
    for start, end in (("2026-05-01", "2026-04-01"), ("2026-04-02T12:00:00Z", "2026-04-01"),
                       ("2026-01-01T00:00:00.0000002Z", "2026-01-01T00:00:00.0000001Z")):
        with pytest.raises(BadRequest) as caught:
            resolve_period(start, end, TODAY)
        assert [(d.field, d.message) for d in caught.value.details] == [("periodEnd", "Must not be before periodStart")]


def test_a_lone_start_after_today_is_refused_naming_the_start() -> None:
    with pytest.raises(BadRequest) as caught:
        resolve_period("2090-01-01", None, TODAY)
    assert [d.field for d in caught.value.details] == ["periodStart"]


def test_both_unparsable_bounds_are_reported_together() -> None:
    with pytest.raises(BadRequest) as caught:
        resolve_period("2026-02-30", "yesterday", TODAY)
    assert [d.field for d in caught.value.details] == ["periodStart", "periodEnd"]


def test_bounds_outside_1970_to_2099_are_refused_not_crashed() -> None:
    with pytest.raises(BadRequest) as caught:
        resolve_period("0001-01-01T00:00:00+01:00", "9999-12-31", TODAY)
    assert [(d.field, d.message) for d in caught.value.details] == [
        ("periodStart", "Must be between 1970-01-01 and 2099-12-31"),
        ("periodEnd", "Must be between 1970-01-01 and 2099-12-31"),
    ]


def test_the_year_range_is_the_written_year_as_the_schema_pattern_says() -> None:
    """openapi.yaml bounds the year as written; an offset that crosses into 1969 or 2100 is still valid."""
    period = resolve_period("1970-01-01T00:00:00+01:00", "2099-12-31T23:00:00-05:00", TODAY)
    assert (period.start_text, period.end_text) == ("1969-12-31T23:00:00.000Z", "2100-01-01T04:00:00.000Z")


def test_rfc3339_lowercase_and_sub_microsecond_bounds_are_accepted() -> None:
    period = resolve_period("2026-01-01t00:00:00z", "2026-01-02t00:00:00.5+01:00", TODAY)
    assert (period.start_text, period.end_text) == ("2026-01-01T00:00:00.000Z", "2026-01-01T23:00:00.500Z")
    close = resolve_period("2026-01-01T00:00:00.0000001Z", "2026-01-01T00:00:00.0000002Z", TODAY)
    assert close.start == close.end  # a tenth of a microsecond apart: in order, though datetime cannot tell
    assert close.start_text == "2026-01-01T00:00:00.000Z"


def test_a_scheduled_report_covers_the_day_week_or_calendar_month_before_it_falls_due() -> None:
    from sendkit_mock.domain.periods import scheduled_period

    due = datetime(2026, 3, 31, 7, tzinfo=UTC)
    assert scheduled_period("daily", due).start == datetime(2026, 3, 30, 7, tzinfo=UTC)
    assert scheduled_period("weekly", due).start == datetime(2026, 3, 24, 7, tzinfo=UTC)
    monthly = scheduled_period("monthly", due)
    assert (monthly.start_text, monthly.end_text) == ("2026-02-28T07:00:00.000Z", "2026-03-31T07:00:00.000Z")
    assert scheduled_period("monthly", datetime(2026, 1, 15, tzinfo=UTC)).start == datetime(2025, 12, 15, tzinfo=UTC)
