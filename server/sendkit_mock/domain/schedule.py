"""When a recipient's scheduled report is next due: local wall-clock time in an IANA zone, DST-correct.

`dayOfWeek` counts from Sunday = 0 (JavaScript's `getDay()`, the convention of SendKit's Node stack [I]);
`dayOfMonth` past the month's end means its last day. A local time that a DST change skips moves forward
by the gap; one that happens twice is taken at its first occurrence (`fold=0`).
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import tzdata

FREQUENCIES = ("daily", "weekly", "monthly")


@dataclass(frozen=True, slots=True)
class Schedule:
    frequency: str
    time_of_day: time
    timezone: ZoneInfo
    day_of_week: int = 1
    day_of_month: int = 1

    def next_after(self, moment: datetime) -> datetime:
        """The first due instant strictly after `moment`, in UTC."""
        local_day = moment.astimezone(self.timezone).date()
        for offset in range(0, 400):
            day = self._candidate(local_day, offset)
            if day is None:
                continue
            due = _resolve_local(datetime.combine(day, self.time_of_day), self.timezone)
            if due > moment:
                return due
        raise AssertionError("a schedule is always due within 400 days")

    def _candidate(self, start: date, offset: int) -> date | None:
        day = start + timedelta(days=offset)
        if self.frequency == "daily":
            return day
        if self.frequency == "weekly":
            return day if (day.weekday() + 1) % 7 == self.day_of_week else None
        last = calendar.monthrange(day.year, day.month)[1]
        return day if day.day == min(self.day_of_month, last) else None


TZDATA_VERSION = tzdata.IANA_VERSION
ZONE_NAMES: frozenset[str] = frozenset(resources.files(tzdata).joinpath("zones").read_text().split()) - {"Factory"}


@functools.cache
def zone(name: str) -> ZoneInfo:
    """An IANA zone by name (openapi.yaml's `TimeZone` enum), from the pinned tzdata package rather than the
    machine's, so schedules fall due at the same instants everywhere; ValueError for any other name."""
    if name not in ZONE_NAMES:
        raise ValueError(name)
    parts = name.split("/")
    with resources.files("tzdata.zoneinfo").joinpath(*parts).open("rb") as data:
        return ZoneInfo.from_file(data, key=name)


def parse_time_of_day(text: str) -> time:
    hours, _, minutes = text.partition(":")
    if len(hours) != 2 or len(minutes) != 2 or not ((hours + minutes).isascii() and (hours + minutes).isdigit()):
        raise ValueError(text)
    return time(int(hours), int(minutes))


def _resolve_local(naive: datetime, tz: ZoneInfo) -> datetime:
    # fold=0 takes the offset in force before a transition: the first of two repeated times, and a time
    # skipped by a gap lands that far later (02:30 on a spring-forward night is 03:30 new time).
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
