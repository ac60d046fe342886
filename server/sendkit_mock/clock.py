"""Time as a parameter: the system clock for the server, a manual clock for tests."""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

_LEAP_SECOND = re.compile(r"[Tt ]\d{2}:\d{2}:(60)")


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


LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # a session's clock stops short of this: "today" stays in a year a
# period may be written in (1970-2099), and far from datetime's limit


class TimeGoesForward(ValueError):
    """A move backwards: a session's clock never makes one."""


class EndOfTime(ValueError):
    """A move to LATEST or beyond: the session's clock has come as far as it goes."""


@dataclass(frozen=True, slots=True)
class ClockState:
    """A session clock's state, in whole microseconds (so a shared store can move it atomically)."""

    mode: str  # "real" follows the base clock plus `offset_us`; "manual" stands at `frozen_us`
    start_us: int  # when the session began, by the base clock
    offset_us: int
    frozen_us: int


class ClockCell(Protocol):
    """Where a session's clock state lives: in the process, or in a store several processes share."""

    def init(self, state: ClockState) -> None:
        """Take `state` unless the cell holds one already (another process made the session first)."""
        ...

    def read(self) -> ClockState: ...

    def write(self, state: ClockState) -> None: ...

    def shift(self, us: int) -> None:
        """Move both the offset and the frozen instant on by `us` microseconds, atomically."""
        ...


class LocalClockCell:
    """A clock state of this process alone."""

    def __init__(self) -> None:
        self._state: ClockState | None = None
        self._lock = threading.Lock()

    def init(self, state: ClockState) -> None:
        with self._lock:
            if self._state is None:
                self._state = state

    def read(self) -> ClockState:
        state = self._state
        if state is None:
            raise RuntimeError("the clock cell was read before SessionClock set it up")
        return state

    def write(self, state: ClockState) -> None:
        self._state = state

    def shift(self, us: int) -> None:
        with self._lock:
            s = self.read()
            self._state = ClockState(s.mode, s.start_us, s.offset_us + us, s.frozen_us + us)


def micros(when: datetime) -> int:
    return (when - EPOCH) // ONE_US


def instant(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)


class SessionClock:
    """One session's time: `real` follows a base clock plus the time the session was moved on; `manual`
    stands still until told to move. Moving never goes backwards; a reset starts it again. The state sits
    in a cell, so every process that shares the cell shares the time; the first to build it sets it."""

    def __init__(self, base: Clock, cell: ClockCell, mode: str = "real") -> None:
        self._base, self._cell = base, cell
        start = micros(base.now())
        cell.init(ClockState(mode, start, 0, start))

    @property
    def mode(self) -> str:
        return self._cell.read().mode

    @property
    def start(self) -> datetime:
        return instant(self._cell.read().start_us)

    def now(self) -> datetime:
        s = self._cell.read()
        if s.mode == "manual":
            return instant(s.frozen_us)
        return self._base.now() + timedelta(microseconds=s.offset_us)

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise TimeGoesForward("advance must be 0 or more seconds")
        if self.now().timestamp() + seconds >= LATEST.timestamp():
            raise EndOfTime(f"The clock goes no further than {iso(LATEST)}; reset the session to start again")
        self._cell.shift(round(seconds * 1_000_000))
        return self.now()

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            raise ValueError("set needs a time zone")
        current = self.now()
        if when < current:
            raise TimeGoesForward(f"set must not be before the clock's time, {iso(current)}")
        return self.advance((when - current).total_seconds())

    def state(self) -> dict[str, object]:
        s = self._cell.read()
        return {"mode": s.mode, "start": exact(instant(s.start_us)), "offsetSeconds": s.offset_us / 1_000_000,
                "frozenAt": exact(instant(s.frozen_us))}

    def restore(self, state: dict[str, object]) -> None:
        self._cell.write(read_state(state))

    def switch(self, mode: str) -> datetime:
        """Keep the current time and go on from it in the other mode."""
        current = self.now()
        s = self._cell.read()
        self._cell.write(ClockState(mode, s.start_us, micros(current) - micros(self._base.now()), micros(current)))
        return current


def read_state(state: dict[str, object]) -> ClockState:
    """A clock's part of a state file (`SessionClock.state`), checked."""
    mode, offset = str(state["mode"]), state["offsetSeconds"]
    if mode not in ("real", "manual") or not isinstance(offset, int | float) or not abs(offset) <= 4e9:
        raise ValueError("mode must be real or manual, offsetSeconds a number within ±4,000,000,000")
    start, frozen = parse_exact(str(state["start"])), parse_exact(str(state["frozenAt"]))
    return ClockState(mode, micros(start), round(offset * 1_000_000), micros(frozen))


def exact(when: datetime) -> str:
    """An instant to the microsecond, in UTC, for state files (the API's timestamps stop at milliseconds)."""
    return when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_exact(text: str) -> datetime:
    """An RFC 3339 instant; a leap second (`23:59:60`, which RFC 3339 allows and Python refuses) is the
    instant after `23:59:59`, as POSIX time counts it. ValueError for anything else it cannot read."""
    leap = _LEAP_SECOND.search(text)
    if leap:
        return parse_exact(text[: leap.start(1)] + "59" + text[leap.end(1):]) + timedelta(seconds=1)
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return when.astimezone(UTC)
