"""Where records live by default: the embedded in-memory stores, implementing `domain.stores`.

Every read is by index: a dict by id, and per scope a list in creation order, so a lookup or a page
costs the same with ten records or a hundred thousand. A store may be capped; past the cap the oldest
evictable record goes first (for reports: the oldest finished one).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic

from .domain.auth import Scope
from .domain.reports import Report
from .domain.stores import Page, T, UnknownCursor

EVICTION_LOOKAHEAD = 256


@dataclass(slots=True)
class _ScopeIndex(Generic[T]):
    seqs: list[int] = field(default_factory=list)
    items: list[T] = field(default_factory=list)

    def insert(self, item: T) -> None:
        """Append, or slot in by seq when writers on other threads took their seqs in another order."""
        at = len(self.seqs) if not self.seqs or item.seq > self.seqs[-1] else bisect_left(self.seqs, item.seq)
        self.seqs.insert(at, item.seq)
        self.items.insert(at, item)

    def position(self, item: T) -> int:
        i = bisect_left(self.seqs, item.seq)
        return i if i < len(self.seqs) and self.seqs[i] == item.seq else -1


def _never(_: object) -> bool:
    return False


class InMemoryStore(Generic[T]):
    """Thread-safe; records are immutable values, replaced whole on update.

    `facet` names a field with a few values (a report's type): each scope keeps one more index per
    value, so a page filtered on it costs what an unfiltered page costs.
    """

    def __init__(self, max_items: int | None = None, facet: Callable[[T], str] | None = None) -> None:
        if max_items is not None and max_items < 1:
            raise ValueError("the cap must be at least 1")
        self.max_items = max_items
        self._facet = facet
        self._lock = threading.RLock()
        self._by_id: OrderedDict[str, T] = OrderedDict()
        self._scopes: dict[tuple[Scope, str | None], _ScopeIndex[T]] = {}

    def _indexes(self, item: T) -> list[_ScopeIndex[T]]:
        keys = [(item.scope, None)] + ([(item.scope, self._facet(item))] if self._facet else [])
        return [self._scopes.setdefault(key, _ScopeIndex()) for key in keys]

    def add(self, item: T, evictable: Callable[[T], bool] = _never) -> list[T]:
        with self._lock:
            self._by_id[item.id] = item
            for index in self._indexes(item):
                index.insert(item)
            evicted = []
            while self.max_items is not None and len(self._by_id) > self.max_items:
                victim = self._victim(evictable)
                self._remove(victim)
                evicted.append(victim)
            return evicted

    def replace(self, item: T) -> None:
        """Swap in a new version of a stored record (same id, seq and scope)."""
        with self._lock:
            old = self._by_id[item.id]
            for index in self._indexes(old):
                index.items[index.position(old)] = item
            self._by_id[item.id] = item

    def _victim(self, evictable: Callable[[T], bool]) -> T:
        for n, candidate in enumerate(self._by_id.values()):
            if evictable(candidate):
                return candidate
            if n >= EVICTION_LOOKAHEAD:
                break
        return next(iter(self._by_id.values()))

    def get(self, item_id: str) -> T | None:
        with self._lock:
            return self._by_id.get(item_id)

    def delete(self, item_id: str) -> T | None:
        with self._lock:
            item = self._by_id.get(item_id)
            if item is not None:
                self._remove(item)
            return item

    def _remove(self, item: T) -> None:
        del self._by_id[item.id]
        for index in self._indexes(item):
            i = index.position(item)
            del index.seqs[i], index.items[i]

    def all(self) -> list[T]:
        with self._lock:
            return list(self._by_id.values())

    def in_scope(self, scope: Scope) -> list[T]:
        """A snapshot of one scope, oldest first."""
        with self._lock:
            return list(self._scopes.get((scope, None), _ScopeIndex()).items)

    def page(
        self,
        scope: Scope,
        *,
        cursor: str | None,
        limit: int,
        keep: Callable[[T], bool] | None = None,
        facet: str | None = None,
    ) -> Page[T]:
        with self._lock:
            index = self._scopes.get((scope, facet), _ScopeIndex())
            top = len(index.items)
            if cursor is not None:
                after = self._by_id.get(cursor)
                if after is None or after.scope != scope:
                    raise UnknownCursor(cursor)
                top = bisect_left(index.seqs, after.seq)  # everything older than the cursor's record
            items: list[T] = []
            i = top - 1
            while i >= 0 and len(items) <= limit:
                if keep is None or keep(index.items[i]):
                    items.append(index.items[i])
                i -= 1
            total = len(index.items) if keep is None else sum(1 for r in index.items if keep(r))
            return Page(items=items[:limit], total=total, has_more=len(items) > limit)

    def clear(self) -> None:
        with self._lock:
            self._by_id.clear()
            self._scopes.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_id)


class InMemoryReportStore(InMemoryStore[Report]):
    def __init__(self, max_reports: int = 100_000) -> None:
        super().__init__(max_reports, facet=lambda report: report.report_type)
