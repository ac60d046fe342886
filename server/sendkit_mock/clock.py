"""Time as a parameter: the system clock for the server, a manual clock for tests."""

from __future__ import annotations

import functools
import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to; thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 4, 17, 10, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock.set needs a timezone-aware datetime")
        with self._lock:
            self._now = when.astimezone(UTC)


@functools.lru_cache(maxsize=16384)  # a list page writes ~80 of them, mostly the same instants again
def iso(when: datetime) -> str:
    """SendKit's timestamp form: UTC, milliseconds, a trailing Z."""
    if when.tzinfo is not UTC:
        when = when.astimezone(UTC)
    return when.isoformat(timespec="milliseconds")[:-len("+00:00")] + "Z"


LATEST = datetime(2101, 1, 1, tzinfo=UTC)  # a session's clock stops short of this, far from datetime's limit


class TimeGoesForward(ValueError):
    """A move backwards: a session's clock never makes one."""


class EndOfTime(ValueError):
    """A move to LATEST or beyond: the session's clock has come as far as it goes."""


class SessionClock:
    """One session's time: `real` follows a base clock plus the time the session was moved on; `manual`
    stands still until told to move. Moving never goes backwards; a reset starts it again."""

    def __init__(self, base: Clock, mode: str = "real") -> None:
        self._base = base
        self._lock = threading.Lock()
        self.start = base.now()
        self._mode, self._offset, self._frozen = mode, timedelta(0), self.start

    @property
    def mode(self) -> str:
        return self._mode

    def now(self) -> datetime:
        with self._lock:
            return self._frozen if self._mode == "manual" else self._base.now() + self._offset

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise TimeGoesForward("advance must be 0 or more seconds")
        if self.now().timestamp() + seconds >= LATEST.timestamp():
            raise EndOfTime(f"The clock goes no further than {iso(LATEST)}; reset the session to start again")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
            self._frozen += timedelta(seconds=seconds)
        return self.now()

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            raise ValueError("set needs a time zone")
        current = self.now()
        if when < current:
            raise TimeGoesForward(f"set must not be before the clock's time, {iso(current)}")
        return self.advance((when - current).total_seconds())

    def state(self) -> dict[str, object]:
        with self._lock:
            return {"mode": self._mode, "start": exact(self.start), "offsetSeconds": self._offset.total_seconds(),
                    "frozenAt": exact(self._frozen)}

    def restore(self, state: dict[str, object]) -> None:
        mode, offset = str(state["mode"]), state["offsetSeconds"]
        if mode not in ("real", "manual") or not isinstance(offset, int | float):
            raise ValueError("mode must be real or manual, offsetSeconds a number")
        with self._lock:
            self._mode, self._offset = mode, timedelta(seconds=offset)
            self.start, self._frozen = parse_exact(str(state["start"])), parse_exact(str(state["frozenAt"]))

    def switch(self, mode: str) -> datetime:
        """Keep the current time and go on from it in the other mode."""
        current = self.now()
        with self._lock:
            self._mode = mode
            self._frozen = current
            self._offset = current - self._base.now()
        return current


def exact(when: datetime) -> str:
    """An instant to the microsecond, in UTC, for state files (the API's timestamps stop at milliseconds)."""
    return when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_exact(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return when.astimezone(UTC)
