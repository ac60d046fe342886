"""How a report's status follows the clock: queued → processing → ready | failed.

A report's timeline is fixed when it is created (when it starts, when it finishes, and how it ends), so
its status at any instant is a pure function of the clock. Which report fails is drawn from the seed and
the report id, so it repeats run after run.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..clock import LATEST

QUEUED, PROCESSING, READY, FAILED = "queued", "processing", "ready", "failed"
STATUSES = (QUEUED, PROCESSING, READY, FAILED)
FINISHED = frozenset({READY, FAILED})

HELD = LATEST  # a forced `processing` lasts until it is forced on: past any time a session's clock reaches
FAILURE = {
    "code": "GENERATION_FAILED",
    "message": "Report generation failed: the analytics backend did not answer in time. Queue the report again.",
}


@dataclass(frozen=True, slots=True)
class Lifecycle:
    queued_seconds: float = 1.0
    processing_seconds: float = 3.0
    failure_rate: float = 0.0
    seed: int | str = 0

    def __post_init__(self) -> None:
        if self.queued_seconds < 0 or self.processing_seconds < 0:
            raise ValueError("queued and processing durations must not be negative")
        if not 0.0 <= self.failure_rate <= 1.0:
            raise ValueError("failure rate must be between 0 and 1")

    def plan(self, report_id: str, created: datetime, start_in: str = QUEUED) -> Timeline:
        """The report's timeline from `created`; `start_in` a later status skips what comes before it
        (`processing`: it starts at once and takes the usual time; `ready` or `failed`: finished at once)."""
        draw = random.Random(f"sendkit-mock/failure/{self.seed}/{report_id}").random()
        outcome = FAILED if draw < self.failure_rate else READY
        if start_in in FINISHED:
            return Timeline(created, created, created, start_in)
        starts = created if start_in == PROCESSING else created + timedelta(seconds=self.queued_seconds)
        return Timeline(created, starts, starts + timedelta(seconds=self.processing_seconds), outcome)


@dataclass(frozen=True, slots=True)
class Timeline:
    created: datetime
    starts: datetime
    finishes: datetime
    outcome: str
    error: Mapping[str, str] | None = None  # a failed report's {code, message}; None: the usual FAILURE

    def forced(self, status: str, now: datetime, error: Mapping[str, str] | None = None) -> Timeline:
        """This timeline moved to `status` at `now` (the report must not have finished yet): `processing`
        is held until forced on, `ready` and `failed` finish now."""
        starts = min(self.starts, now)
        if status == PROCESSING:
            return replace(self, starts=starts, finishes=HELD)
        return replace(self, starts=starts, finishes=now, outcome=status, error=error if status == FAILED else None)

    def status(self, now: datetime) -> str:
        if now < self.starts:
            return QUEUED
        if now < self.finishes:
            return PROCESSING
        return self.outcome

    def started_at(self, now: datetime) -> datetime | None:
        return self.starts if now >= self.starts else None

    def completed_at(self, now: datetime) -> datetime | None:
        return self.finishes if now >= self.finishes else None

    def updated_at(self, now: datetime) -> datetime:
        return self.completed_at(now) or self.started_at(now) or self.created

    @property
    def held(self) -> bool:
        """A forced `processing`, which lasts until it is forced on."""
        return self.finishes >= HELD

    def progress(self, now: datetime) -> float | None:
        """How far the report has come from its creation to its finish, 0 to 1; None while held."""
        if now >= self.finishes:
            return 1.0
        if self.held:
            return None
        span = (self.finishes - self.created).total_seconds()
        return min(1.0, max(0.0, (now - self.created).total_seconds() / span)) if span > 0 else 1.0
