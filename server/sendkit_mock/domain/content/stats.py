"""Email counts and the rates SendKit's analytics derive from them.

Rates are percentages as strings with one decimal, like SendKit's analytics (`"45.0"`) [C]. Their bases
are fixed here and documented in openapi.yaml: open, click, reply, positive reply and unsubscribe over
`delivered`; bounce and delivery over `sent`. Rounding is half-up on exact integers, never on floats, so
a rate can always be recomputed from the counts beside it; a zero base gives `"0.0"`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

COUNT_FIELDS = (
    "sent",
    "delivered",
    "opened",
    "clicked",
    "replied",
    "positiveReplied",
    "bounced",
    "unsubscribed",
)


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts for one scope and one span of days; every field is a non-negative int."""

    sent: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    replied: int = 0
    positive_replied: int = 0
    bounced: int = 0
    unsubscribed: int = 0

    def __add__(self, other: Stats) -> Stats:
        return Stats(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def values(self) -> tuple[int, ...]:
        """The counts in COUNT_FIELDS order (`dataclasses.astuple` deep-copies and is ten times slower)."""
        return (
            self.sent,
            self.delivered,
            self.opened,
            self.clicked,
            self.replied,
            self.positive_replied,
            self.bounced,
            self.unsubscribed,
        )

    @classmethod
    def total(cls, parts: Any) -> Stats:
        result = cls()
        for part in parts:
            result = result + part
        return result

    def to_json(self) -> dict[str, int]:
        return dict(zip(COUNT_FIELDS, self.values(), strict=True))

    def rates(self) -> Rates:
        return Rates(
            open=rate(self.opened, self.delivered),
            click=rate(self.clicked, self.delivered),
            reply=rate(self.replied, self.delivered),
            positive_reply=rate(self.positive_replied, self.delivered),
            bounce=rate(self.bounced, self.sent),
            delivery=rate(self.delivered, self.sent),
            unsubscribe=rate(self.unsubscribed, self.delivered),
        )


@dataclass(frozen=True, slots=True)
class Rates:
    open: str
    click: str
    reply: str
    positive_reply: str
    bounce: str
    delivery: str
    unsubscribe: str

    def to_json(self) -> dict[str, str]:
        return {_camel(f.name): getattr(self, f.name) for f in fields(self)}

    def change_since(self, previous: Rates) -> dict[str, str]:
        """The difference in percentage points between the rates as displayed, one decimal."""
        return {
            _camel(f.name): _signed(_tenths(getattr(self, f.name)) - _tenths(getattr(previous, f.name)))
            for f in fields(self)
        }


def rate(count: int, base: int) -> str:
    """`count / base` as a percentage with one decimal, rounded half-up; "0.0" when the base is 0."""
    if base <= 0:
        return "0.0"
    return _signed(_half_up(1000 * count, base))


def percent_change(current: int, previous: int) -> str | None:
    """The relative change from `previous` to `current` in percent, one decimal; None without a base."""
    if previous <= 0:
        return None
    magnitude = _half_up(1000 * abs(current - previous), previous)
    return _signed(-magnitude if current < previous else magnitude)


def count_change(current: Stats, previous: Stats) -> dict[str, str | None]:
    return {
        name: percent_change(now, before)
        for name, now, before in zip(COUNT_FIELDS, current.values(), previous.values(), strict=True)
    }


def _half_up(numerator: int, denominator: int) -> int:
    """round(numerator / denominator) with halves going up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def _tenths(text: str) -> int:
    whole, _, tenth = text.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 10 + int(tenth))


def _signed(tenths: int) -> str:
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10}.{abs(tenths) % 10}"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
