"""Report periods: `YYYY-MM-DD` or an RFC 3339 date-time [C], with a default when omitted [I].

Both bounds are written in a year from 1970 to 2099 (a pattern in the schema) [I]. One rule the schema
cannot state, since JSON Schema cannot compare two fields: periodEnd must not be before periodStart [I].
Swapped dates are a classic client bug, and an API that queued a report for a reversed period would hide
it; openapi.yaml says so in the fields' descriptions and marks the rule `x-sendkit-inferred`.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from ..clock import iso
from ..errors import BadRequest, Detail

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BEYOND_MICROSECONDS = re.compile(r"(\.\d{6})(\d+)")
DEFAULT_DAYS = 30
YEARS = range(1970, 2100)  # [I] as written, before any offset: keeps a period and the one before it computable


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime  # inclusive
    end: datetime  # exclusive
    start_text: str
    end_text: str

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400


def parse_bound(value: str, *, is_end: bool) -> tuple[datetime, str]:
    """The instant a bound names and its echo; a date end covers that whole day."""
    if DATE.match(value):
        day = date.fromisoformat(value)
        start = datetime.combine(day, time.min, UTC)
        return (start + timedelta(days=1) if is_end else start), value
    # RFC 3339 allows a lowercase t and z, which Python 3.11's fromisoformat refuses.
    moment = datetime.fromisoformat(BEYOND_MICROSECONDS.sub(r"\1", value.upper()))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC), iso(moment)


@functools.lru_cache(maxsize=1024)
def resolve_period(start: str | None, end: str | None, today: date) -> Period:
    """Both bounds checked together, so a request with two bad bounds hears of both.

    Cached: the same bounds give one shared Period, so a stored report holds a reference, not a copy.
    """
    details: list[Detail] = []
    bounds: dict[str, tuple[datetime, str]] = {}
    for name, value, is_end in (("periodStart", start, False), ("periodEnd", end, True)):
        if value is None:
            continue
        if not (value[:4].isascii() and value[:4].isdigit()) or int(value[:4]) not in YEARS:
            details.append(Detail(name, "Must be between 1970-01-01 and 2099-12-31"))
            continue
        try:
            bounds[name] = parse_bound(value, is_end=is_end)
        except ValueError:
            details.append(Detail(name, "Must be a date (YYYY-MM-DD) or an ISO 8601 date-time"))
    if details:
        raise BadRequest(details=details)
    given_end = end is not None
    if end is None:
        end = today.isoformat()
    if start is None:
        start = _default_start(end)
    start_at, start_text = parse_bound(start, is_end=False)
    end_at, end_text = parse_bound(end, is_end=True)
    if (start_at, _beyond_microseconds(start)) > (end_at, _beyond_microseconds(end)):
        raise BadRequest(details=[_reversed(given_end)])
    return Period(start_at, end_at, start_text, end_text)


def _reversed(given_end: bool) -> Detail:
    if given_end:
        return Detail("periodEnd", "Must not be before periodStart")
    return Detail("periodStart", "Must not be after periodEnd, which is today when left out")


def _default_start(end: str) -> str:
    """The 30 days that end on periodEnd: both days included for a date, 30 x 24 h before a date-time."""
    if DATE.match(end):
        return (date.fromisoformat(end) - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    return iso(parse_bound(end, is_end=True)[0] - timedelta(days=DEFAULT_DAYS))


def _beyond_microseconds(value: str | None) -> Decimal:
    """The digits past the sixth of a fraction, which datetime drops but the order of two bounds may need."""
    found = BEYOND_MICROSECONDS.search(value or "")
    return Decimal("0." + found.group(2)) if found else Decimal(0)


def scheduled_period(frequency: str, due: datetime) -> Period:
    """The period a scheduled report covers: the day, week or calendar month that ends when it falls due [I]
    (a month back from the 31st of March is the 28th or 29th of February)."""
    if frequency == "monthly":
        year, month = (due.year, due.month - 1) if due.month > 1 else (due.year - 1, 12)
        start = due.replace(year=year, month=month, day=min(due.day, calendar.monthrange(year, month)[1]))
    else:
        start = due - timedelta(days={"daily": 1, "weekly": 7}[frequency])
    return Period(start, due, iso(start), iso(due))
