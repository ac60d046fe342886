"""Where reports live: an interface, and the embedded in-memory default.

Every read is by index: a dict by id, and per scope a list in creation order, so a lookup or a page
costs the same with ten reports or a hundred thousand. The store is capped; past the cap the oldest
finished report goes first.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from .domain.auth import Scope
from .domain.reports import Report

EVICTION_LOOKAHEAD = 256


@dataclass(slots=True)
class Page:
    items: list[Report]
    total: int
    has_more: bool


class UnknownCursor(LookupError):
    """The cursor names no report of this scope."""


class ReportStore(Protocol):
    def add(self, report: Report, evictable: Callable[[Report], bool]) -> list[Report]:
        """Store a report; return the reports evicted to stay under the cap."""
        ...

    def get(self, report_id: str) -> Report | None: ...

    def delete(self, report_id: str) -> Report | None: ...

    def page(
        self, scope: Scope, *, cursor: str | None, limit: int, keep: Callable[[Report], bool] | None = None
    ) -> Page:
        """Newest first, starting after `cursor`; `keep` filters (and makes `total` count the kept)."""
        ...

    def clear(self) -> None: ...

    def __len__(self) -> int: ...


@dataclass(slots=True)
class _ScopeIndex:
    seqs: list[int] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)

    def position(self, report: Report) -> int:
        i = bisect_left(self.seqs, report.seq)
        return i if i < len(self.seqs) and self.seqs[i] == report.seq else -1


class InMemoryReportStore:
    def __init__(self, max_reports: int = 100_000) -> None:
        if max_reports < 1:
            raise ValueError("max_reports must be at least 1")
        self.max_reports = max_reports
        self._lock = threading.RLock()
        self._by_id: OrderedDict[str, Report] = OrderedDict()
        self._scopes: dict[Scope, _ScopeIndex] = {}

    def add(self, report: Report, evictable: Callable[[Report], bool]) -> list[Report]:
        with self._lock:
            self._by_id[report.id] = report
            index = self._scopes.setdefault(report.scope, _ScopeIndex())
            index.seqs.append(report.seq)
            index.reports.append(report)
            evicted = []
            while len(self._by_id) > self.max_reports:
                victim = self._victim(evictable)
                self._remove(victim)
                evicted.append(victim)
            return evicted

    def _victim(self, evictable: Callable[[Report], bool]) -> Report:
        for n, candidate in enumerate(self._by_id.values()):
            if evictable(candidate):
                return candidate
            if n >= EVICTION_LOOKAHEAD:
                break
        return next(iter(self._by_id.values()))

    def get(self, report_id: str) -> Report | None:
        with self._lock:
            return self._by_id.get(report_id)

    def delete(self, report_id: str) -> Report | None:
        with self._lock:
            report = self._by_id.get(report_id)
            if report is not None:
                self._remove(report)
            return report

    def _remove(self, report: Report) -> None:
        del self._by_id[report.id]
        index = self._scopes[report.scope]
        i = index.position(report)
        del index.seqs[i], index.reports[i]

    def page(
        self, scope: Scope, *, cursor: str | None, limit: int, keep: Callable[[Report], bool] | None = None
    ) -> Page:
        with self._lock:
            index = self._scopes.get(scope, _ScopeIndex())
            top = len(index.reports)
            if cursor is not None:
                after = self._by_id.get(cursor)
                top = index.position(after) if after is not None and after.scope == scope else -1
                if top < 0:
                    raise UnknownCursor(cursor)
            items: list[Report] = []
            i = top - 1
            while i >= 0 and len(items) <= limit:
                if keep is None or keep(index.reports[i]):
                    items.append(index.reports[i])
                i -= 1
            total = len(index.reports) if keep is None else sum(1 for r in index.reports if keep(r))
            return Page(items=items[:limit], total=total, has_more=len(items) > limit)

    def clear(self) -> None:
        with self._lock:
            self._by_id.clear()
            self._scopes.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_id)
