"""Recipient schedules in local time, across DST changes."""

from datetime import UTC, datetime

import pytest

from sendkit_mock.domain.schedule import Schedule, parse_time_of_day, zone

NEW_YORK = zone("America/New_York")


def runs(schedule: Schedule, start: datetime, n: int) -> list[datetime]:
    out = []
    for _ in range(n):
        start = schedule.next_after(start)
        out.append(start)
    return out


def test_weekly_keeps_local_time_across_spring_forward() -> None:
    weekly = Schedule("weekly", parse_time_of_day("09:00"), NEW_YORK, day_of_week=1)  # Mondays
    due = runs(weekly, datetime(2026, 3, 1, tzinfo=UTC), 3)
    assert [d.astimezone(NEW_YORK).strftime("%a %Y-%m-%d %H:%M") for d in due] == [
        "Mon 2026-03-02 09:00", "Mon 2026-03-09 09:00", "Mon 2026-03-16 09:00"]
    assert [d.hour for d in due] == [14, 13, 13]  # EST, then EDT after 8 March


def test_a_time_skipped_by_spring_forward_runs_an_hour_later() -> None:
    daily = Schedule("daily", parse_time_of_day("02:30"), NEW_YORK)
    due = runs(daily, datetime(2026, 3, 7, 12, tzinfo=UTC), 2)
    assert [d.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for d in due] == ["03-08 03:30", "03-09 02:30"]


def test_a_repeated_time_at_fall_back_runs_once_at_its_first_occurrence() -> None:
    daily = Schedule("daily", parse_time_of_day("01:30"), NEW_YORK)
    due = runs(daily, datetime(2026, 10, 31, 12, tzinfo=UTC), 2)
    assert due == [datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 2, 6, 30, tzinfo=UTC)]


def test_monthly_on_the_31st_falls_back_to_the_last_day() -> None:
    monthly = Schedule("monthly", parse_time_of_day("09:00"), zone("UTC"), day_of_month=31)
    due = runs(monthly, datetime(2026, 1, 31, 12, tzinfo=UTC), 3)
    assert [d.date().isoformat() for d in due] == ["2026-02-28", "2026-03-31", "2026-04-30"]


def test_due_is_strictly_after_the_given_instant() -> None:
    daily = Schedule("daily", parse_time_of_day("09:00"), zone("UTC"))
    at_nine = datetime(2026, 5, 1, 9, tzinfo=UTC)
    assert daily.next_after(at_nine) == datetime(2026, 5, 2, 9, tzinfo=UTC)


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "/usr/share/zoneinfo/UTC"])
def test_unknown_zones_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        zone(name)


@pytest.mark.parametrize("text", ["9:00", "24:00", "09:60", "0900", "ab:cd"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time_of_day(text)
