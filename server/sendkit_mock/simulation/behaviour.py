"""A session's simulated conditions: latency, a share of injected server errors, a rate limit per API key.

Written as the flags take them: latency `150`, `uniform:50-400` or `lognormal:median=120,sigma=0.5` (ms);
error rate a share from 0 to 1; rate limit `20/s`, `600/min` or `5000/h` per API key. Which requests are
slowed how much, and which fail, follows from the seed and the order of the session's requests; rate-limit
windows follow the session's clock, so a test on a manual clock sees the same answers every run.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..rates import SYNTAX, Rate

MAX_LATENCY_MS = 60_000


class BehaviourError(ValueError):
    """A latency, error rate or rate limit that cannot be used; the message says what is accepted."""


@dataclass(frozen=True, slots=True)
class Latency:
    text: str
    kind: str  # fixed | uniform | lognormal
    a: float
    b: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Latency:
        spec = text.strip()
        try:
            if re.fullmatch(r"\d+(\.\d+)?", spec):
                return cls._checked(spec, "fixed", float(spec))
            if match := re.fullmatch(r"uniform:(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)", spec):
                low, high = float(match[1]), float(match[2])
                if low > high:  # a typo more likely than a wish: said, not silently swapped
                    raise BehaviourError(f"latency {text!r}: uniform:LOW-HIGH needs LOW <= HIGH (uniform:{match[2]}-"
                                         f"{match[1]}?)")
                return cls._checked(spec, "uniform", low, high)
            if match := re.fullmatch(r"lognormal:median=(\d+(?:\.\d+)?),sigma=(\d+(?:\.\d+)?)", spec):
                return cls._checked(spec, "lognormal", float(match[1]), float(match[2]))
        except OverflowError:
            pass
        raise BehaviourError(f"latency {text!r} is not one of 150, uniform:50-400, lognormal:median=120,sigma=0.5 "
                             "(milliseconds)")

    @classmethod
    def _checked(cls, text: str, kind: str, a: float, b: float = 0.0) -> Latency:
        if a > MAX_LATENCY_MS or (kind == "uniform" and b > MAX_LATENCY_MS) or (kind == "lognormal" and b > 5):
            raise BehaviourError(f"latency {text!r}: at most {MAX_LATENCY_MS:,} ms (and sigma at most 5)")
        return cls(text, kind, a, b)

    def sample(self, draw: random.Random) -> int:
        if self.kind == "fixed":
            value = self.a
        elif self.kind == "uniform":
            value = draw.uniform(self.a, self.b)
        else:
            value = self.a * math.exp(self.b * draw.gauss(0.0, 1.0))
        return round(min(max(value, 0.0), MAX_LATENCY_MS))


@dataclass(frozen=True, slots=True)
class RateLimit:
    text: str
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        try:
            rate = Rate.parse(text)
        except ValueError:
            raise BehaviourError(f"rate limit {text!r} is not one of 20/s, 600/min, 5000/h (requests per API key; "
                                 f"{SYNTAX})") from None
        return cls(rate.text, rate.limit, rate.period)


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What a session simulates; None and 0 mean nothing."""

    latency: Latency | None = None
    error_rate: float = 0.0
    rate_limit: RateLimit | None = None

    @classmethod
    def of(cls, latency: str | None, error_rate: float, rate_limit: str | None) -> Behaviour:
        if not 0.0 <= error_rate <= 1.0:
            raise BehaviourError(f"error rate {error_rate!r} must be a share from 0 to 1")
        return cls(Latency.parse(latency) if latency else None, float(error_rate),
                   RateLimit.parse(rate_limit) if rate_limit else None)

    def to_json(self) -> dict[str, Any]:
        return {"latency": self.latency.text if self.latency else None, "errorRate": self.error_rate,
                "rateLimit": self.rate_limit.text if self.rate_limit else None}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the simulation does to one request: hold it, answer it with an injected error, and which
    rate-limit headers go on its answer."""

    delay_ms: int = 0
    inject: int | None = None  # 429, 500 or 503
    retry_after: int | None = None  # seconds, with a 429 or a 503
    limit_headers: tuple[tuple[str, str], ...] = ()


class Windows(Protocol):
    """Rate-limit windows: requests counted per key and window, wherever the session's state lives (a
    shared store counts every worker's requests in one window)."""

    def hit(self, key: str, seconds: float) -> int:
        """Count one more request in window `key` (forgotten `seconds` after its first); answer the count."""
        ...


class LocalWindows:
    """Windows of this process alone: only the current window of each key is kept past 10,000."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, seconds: float) -> int:
        with self._lock:
            if key not in self._counts and len(self._counts) >= 10_000:
                self._counts.clear()  # old windows go: each key's next request opens its current one again
            self._counts[key] = count = self._counts.get(key, 0) + 1
            return count


class Simulator:
    """One session's simulation: its behaviour and the draws and windows that make it reproducible."""

    def __init__(self, behaviour: Behaviour, seed: int | str, windows: Windows | None = None) -> None:
        """Every session draws the same stream for the seed, as it gives the same ids."""
        self.behaviour = behaviour
        self._name = f"sendkit-mock/simulation/{seed}"
        self._lock = threading.Lock()
        self._draws = random.Random(self._name)
        self._windows = windows or LocalWindows()

    def judge(self, api_key: str | None, now: datetime) -> Verdict:
        """The verdict for the session's next API request (the n-th draws the n-th values of the seed)."""
        b = self.behaviour
        if b.latency is None and not b.error_rate and b.rate_limit is None:
            return Verdict()
        with self._lock:
            delay = b.latency.sample(self._draws) if b.latency else 0
            failing = self._draws.random() < b.error_rate if b.error_rate else False
            status = (503 if self._draws.random() < 0.5 else 500) if failing else None
            headers: tuple[tuple[str, str], ...] = ()
            retry_after = 1 if status == 503 else None
            if b.rate_limit is not None and api_key:
                status, retry_after, headers = self._count(b.rate_limit, api_key, now, status, retry_after)
        return Verdict(delay, status, retry_after, headers)

    def _count(self, limit: RateLimit, key: str, now: datetime, status: int | None,
               retry_after: int | None) -> tuple[int | None, int | None, tuple[tuple[str, str], ...]]:
        stamp = now.timestamp()
        window = int(stamp // limit.period) * limit.period
        hashed = hashlib.sha256(key.encode()).hexdigest()[:20]  # a store's key names no API key
        used = min(self._windows.hit(f"{hashed}:{window}", limit.period), limit.limit + 1)
        if used > limit.limit:
            used = limit.limit
            status, retry_after = 429, max(1, math.ceil(window + limit.period - stamp))
        headers = (("X-RateLimit-Limit", str(limit.limit)), ("X-RateLimit-Remaining", str(limit.limit - used)),
                   ("X-RateLimit-Reset", str(window + limit.period)))
        return status, retry_after, headers
