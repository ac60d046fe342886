"""Daily email counts as a pure function of the day, summed over any span in constant time.

A `Series` is one sequence step sent from one mailbox for one campaign. Its day is a slot in a 28-day
table of drawn counts (weekends empty) and a 28-day block whose busyness `level` the campaign draws
per block: quieter blocks skip some sending days. Prefix sums per level and running level counts per
block make a ten-year span cost the same as a one-day span. Every count of every day is drawn once
from the seed, so overlapping spans agree and a longer span never shows less.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

Counts = tuple[int, ...]  # sent, bounced, opened, clicked, replied, positiveReplied, unsubscribed
ZERO: Counts = (0,) * 7
CYCLE = 28  # a multiple of 7, so a slot is always the same weekday
EPOCH = date(2024, 1, 1).toordinal()  # a Monday: slots 5 and 6 of each week are the weekend
KEEP = (1.0, 0.9, 0.75, 0.5)  # the share of working days each busyness level sends on
LEVEL_ODDS = (0.45, 0.3, 0.17, 0.08)
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class Propensity:
    """Per-email odds: bounce and open/reply/unsubscribe per delivered; click per open; positive per reply."""

    bounce: float
    open: float
    click: float
    reply: float
    positive: float
    unsubscribe: float


def mix(key: int, n: int) -> int:
    """SplitMix64 of (key, n): a cheap, stable hash that needs no Random per call."""
    z = (key + (n + 1) * 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def binomial(rng: random.Random, n: int, p: float) -> int:
    """A Binomial(n, p) draw: exact inversion when the spread is small, a clamped normal otherwise."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - binomial(rng, n, 1.0 - p)
    mean = n * p
    if mean * (1.0 - p) >= 12.0:
        return min(n, max(0, round(rng.gauss(mean, (mean * (1.0 - p)) ** 0.5))))
    u, k = rng.random(), 0
    prob = (1.0 - p) ** n
    cdf, ratio = prob, p / (1.0 - p)
    while u > cdf and k < n:
        prob *= (n - k) / (k + 1) * ratio
        k += 1
        cdf += prob
    return k


def draw_day(rng: random.Random, sent: int, odds: Propensity) -> Counts:
    """One day's counts, each drawn from its own base so every rule holds by construction."""
    bounced = binomial(rng, sent, odds.bounce)
    delivered = sent - bounced
    opened = binomial(rng, delivered, odds.open)
    replied = binomial(rng, delivered, odds.reply)
    return (
        sent,
        bounced,
        opened,
        binomial(rng, opened, odds.click),
        replied,
        binomial(rng, replied, odds.positive),
        binomial(rng, delivered, odds.unsubscribe),
    )


class Levels:
    """A campaign's busyness level per 28-day block, with running counts of each level."""

    def __init__(self, key: int, origin: int) -> None:
        self._key = key
        self._origin = origin  # the first block any of the campaign's series can touch
        self._running: list[tuple[int, ...]] = [(0,) * len(KEEP)]
        self._lock = threading.Lock()

    def level(self, block: int) -> int:
        draw = (mix(self._key, block) >> 11) / float(1 << 53)
        for index, odds in enumerate(LEVEL_ODDS):
            draw -= odds
            if draw < 0:
                return index
        return len(LEVEL_ODDS) - 1

    def counts(self, first: int, stop: int) -> tuple[int, ...]:
        """How many blocks in [first, stop) have each level."""
        if first >= stop:
            return (0,) * len(KEEP)
        if first < self._origin:  # before the blocks kept counts for: count them one by one
            early = [self.level(b) for b in range(first, min(stop, self._origin))]
            later = self.counts(self._origin, stop) if stop > self._origin else (0,) * len(KEEP)
            return tuple(n + early.count(i) for i, n in enumerate(later))
        with self._lock:
            while len(self._running) <= stop - self._origin:
                block = self._origin + len(self._running) - 1
                bump = self.level(block)
                last = self._running[-1]
                self._running.append(tuple(n + (i == bump) for i, n in enumerate(last)))
            low, high = self._running[first - self._origin], self._running[stop - self._origin]
        return tuple(h - lo for h, lo in zip(high, low, strict=True))


class Series:
    def __init__(self, table: Sequence[Counts], key: int, levels: Levels) -> None:
        self.start: int = -(1 << 40)  # days [start, end); end None: still sending
        self.end: int | None = None
        self._levels = levels
        self._prefix = [_prefix(table, _mask(key, keep)) for keep in KEEP]

    def within(self, start: int, end: int | None) -> Series:
        """The same daily counts, sent only on the days [start, end)."""
        bounded = copy.copy(self)
        bounded.start, bounded.end = start, end
        return bounded

    def reach_back(self, end: int, budget: int, longest: int) -> int:
        """The earliest start, at most `longest` days before `end`, whose sends fit in `budget`."""
        low, high = end - longest, end  # sends over [high, end) always fit; find the lowest start that does
        while low < high:
            middle = (low + high) // 2
            if self.total(range(middle, end))[0] <= budget:
                high = middle
            else:
                low = middle + 1
        return high

    def reach_forward(self, start: int, end: int, budget: int) -> int:
        """The latest end, at most `end`, whose sends from `start` fit in `budget`."""
        low, high = start, end
        while low < high:
            middle = (low + high + 1) // 2
            if self.total(range(start, middle))[0] <= budget:
                low = middle
            else:
                high = middle - 1
        return low

    def on(self, day: int) -> Counts:
        if day < self.start or (self.end is not None and day >= self.end):
            return ZERO
        block, slot = divmod(day - EPOCH, CYCLE)
        prefix = self._prefix[self._levels.level(block)]
        return _sub(prefix[slot + 1], prefix[slot])

    def total(self, days: range) -> Counts:
        low = max(days.start, self.start)
        high = days.stop if self.end is None else min(days.stop, self.end)
        if low >= high:
            return ZERO
        first, head = divmod(low - EPOCH, CYCLE)
        last, tail = divmod(high - EPOCH, CYCLE)
        if first == last:
            prefix = self._prefix[self._levels.level(first)]
            return _sub(prefix[tail], prefix[head])
        start_prefix = self._prefix[self._levels.level(first)]
        result = _sub(start_prefix[CYCLE], start_prefix[head])
        if tail:
            result = _add(result, self._prefix[self._levels.level(last)][tail])
        for level, blocks in enumerate(self._levels.counts(first + 1, last)):
            if blocks:
                result = _add(result, tuple(blocks * n for n in self._prefix[level][CYCLE]))
        return result


def _mask(key: int, keep: float) -> list[bool]:
    cut = int(keep * 1000)
    return [slot % 7 < 5 and mix(key, slot) % 1000 < cut for slot in range(CYCLE)]


def _prefix(table: Sequence[Counts], mask: Sequence[bool]) -> list[Counts]:
    running = [ZERO]
    for counts, sends in zip(table, mask, strict=True):
        running.append(_add(running[-1], counts) if sends else running[-1])
    return running


def _add(a: Counts, b: Counts) -> Counts:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _sub(a: Counts, b: Counts) -> Counts:
    return tuple(x - y for x, y in zip(a, b, strict=True))
