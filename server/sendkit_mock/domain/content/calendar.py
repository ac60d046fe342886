"""Which days a report counts.

Activity is generated per UTC day and a day is never split: a day counts in a period when it starts
(00:00 UTC) inside the period and before the report was created. A period that ends after the creation
instant therefore counts only its past part, and a period wholly after it counts nothing. Days are
proleptic ordinals (`date.toordinal()`), so a span is a plain `range`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from ..periods import Period

EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Span:
    """A period as the mock counts it: its nominal bounds and the days that count in it."""

    start: datetime
    end: datetime
    days: range


@dataclass(frozen=True, slots=True)
class ReportWindow:
    current: Span
    previous: Span  # the period of the same length that ends where the current one starts
    created: datetime
    today: range  # the creation day if it started before the report was created, for `sentToday`

    @classmethod
    def of(cls, period: Period, created: datetime) -> ReportWindow:
        try:
            previous_start = period.start - (period.end - period.start)
        except OverflowError:  # a period reaching back to year 1 has nothing before it
            previous_start = EARLIEST
        return cls(
            current=span(period.start, period.end, created),
            previous=span(previous_start, period.start, created),
            created=created,
            today=_today(created),
        )


def span(start: datetime, end: datetime, created: datetime) -> Span:
    first = _first_day_from(start)
    stop = _first_day_from(min(end, created))
    return Span(start, end, range(first, max(first, stop)))


def _today(created: datetime) -> range:
    day = created.astimezone(UTC).date().toordinal()
    return range(day, _first_day_from(created))


def _first_day_from(moment: datetime) -> int:
    """The first day that starts at or after `moment`."""
    moment = moment.astimezone(UTC)
    ordinal = moment.date().toordinal()
    return ordinal if moment.time() == time.min else ordinal + 1
