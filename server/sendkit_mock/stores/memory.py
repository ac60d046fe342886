"""Where state lives by default: the embedded in-memory stores, implementing `domain.stores`.

Every read of records is by index: a dict by id, and per scope a list in creation order, so a lookup or
a page costs the same with ten records or a hundred thousand. A store may be capped; past the cap the
oldest evictable record goes first (for reports: the oldest finished one). Every class is thread-safe.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import weakref
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic

from ..clock import EPOCH, LocalClockCell
from ..domain.auth import Scope
from ..domain.ids import journal_ids, numbered_id
from ..domain.lifecycle import HELD
from ..domain.recipients import Recipient
from ..domain.reports import Report
from ..domain.stores import COUNTERS, DueQueue, E, Page, SessionStores, T, UnknownCursor
from ..domain.webhooks import Webhook
from ..simulation.behaviour import LocalWindows
from .budget import Entries, Held, LogBudget, Quota, Sizer, size_of

EVICTION_LOOKAHEAD = 256


@dataclass(slots=True)
class _ScopeIndex(Generic[T]):
    """One scope's records by seq. The oldest go first (the cap evicts them): those are dropped by moving
    `start` on, and the lists are cut only when half of them is dropped, so an eviction costs O(1) instead of
    moving every pointer of a 100,000-report list (10 us per list, four lists per report)."""

    seqs: list[int] = field(default_factory=list)
    items: list[T | None] = field(default_factory=list)
    start: int = 0  # items before it are gone

    def __len__(self) -> int:
        return len(self.items) - self.start

    def live(self) -> list[T]:
        return self.items[self.start:]  # type: ignore[return-value]

    def insert(self, item: T) -> None:
        """Append, or slot in by seq when writers on other threads took their seqs in another order."""
        at = len(self.seqs) if len(self) == 0 or item.seq > self.seqs[-1] else \
            bisect_left(self.seqs, item.seq, lo=self.start)
        self.seqs.insert(at, item.seq)
        self.items.insert(at, item)

    def position(self, item: T) -> int:
        i = bisect_left(self.seqs, item.seq, lo=self.start)
        return i if i < len(self.seqs) and self.seqs[i] == item.seq else -1

    def after(self, seq: int) -> int:
        """The position of the first record at or after `seq`."""
        return bisect_left(self.seqs, seq, lo=self.start)

    def remove_at(self, i: int) -> None:
        if i != self.start:
            del self.seqs[i], self.items[i]
            return
        self.items[i] = None  # the record goes now; its slot when the lists are cut
        self.start += 1
        if self.start >= 1024 and self.start * 2 >= len(self.items):
            del self.seqs[:self.start], self.items[:self.start]
            self.start = 0


def _never(_: object) -> bool:
    return False


TOTAL_STUBS = 2_000  # stubs across sessions: 2,000 x 16 KiB at most, 32 MiB


class InMemoryStore(Generic[T]):
    """Thread-safe; records are immutable values, replaced whole on update.

    `facet` names a field with a few values (a report's type): each scope keeps one more index per
    value, so a page filtered on it costs what an unfiltered page costs.
    """

    def __init__(self, max_items: int | None = None, facet: Callable[[T], str] | None = None,
                 quota: Quota | None = None) -> None:
        if max_items is not None and max_items < 1:
            raise ValueError("the cap must be at least 1")
        self.max_items = max_items
        self._held = Held(self, quota)  # what it holds of the process's quota for its kind (budget.py)
        self._facet = facet
        self._lock = threading.RLock()
        self._by_id: OrderedDict[str, T] = OrderedDict()
        self._scopes: dict[tuple[Scope, str | None], _ScopeIndex[T]] = {}
        self._last_seq = 0

    def next_seq(self, count: int = 1) -> int:
        with self._lock:
            self._last_seq += count
            return self._last_seq - count + 1

    def _indexes(self, item: T) -> list[_ScopeIndex[T]]:
        keys = [(item.scope, None)] + ([(item.scope, self._facet(item))] if self._facet else [])
        return [self._scopes.setdefault(key, _ScopeIndex()) for key in keys]

    def add(self, item: T, evictable: Callable[[T], bool] = _never) -> list[T]:
        with self._lock:
            new = item.id not in self._by_id
            at_cap = self.max_items is not None and len(self._by_id) >= self.max_items
            evicted = []
            if new and not at_cap and not self._held.try_take():  # at its own cap a store evicts one for one
                # past the process's quota too, from what this store holds (never another session's records):
                # its oldest evictable; StoreFull when it has none, before anything changes
                victim = self._victim(evictable) if self._by_id else None
                if victim is None or not evictable(victim):
                    self._held.take()  # StoreFull (unless another session gave some back meanwhile)
                else:
                    self._remove(victim)
                    evicted.append(victim)
                    at_cap = True  # the new record takes the slot the evicted one gives up
            old = self._by_id.get(item.id)
            if old is not None:  # the same record again (a state import): its old entries go first
                self._remove(old)
            self._by_id[item.id] = item
            self._last_seq = max(self._last_seq, item.seq)
            for index in self._indexes(item):
                index.insert(item)
            self._added(item)
            while self.max_items is not None and len(self._by_id) > self.max_items:
                victim = self._victim(evictable)
                self._remove(victim)
                evicted.append(victim)
            self._held.give(len(evicted) - (1 if new and at_cap else 0))
            return evicted

    def replace(self, item: T) -> None:
        """Swap in a new version of a stored record (same id, seq and scope)."""
        with self._lock:
            old = self._by_id[item.id]
            for index in self._indexes(old):
                index.items[index.position(old)] = item
            self._by_id[item.id] = item
            self._replaced(old, item)

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
                self._held.give()
            return item

    def _remove(self, item: T) -> None:
        del self._by_id[item.id]
        for index in self._indexes(item):
            index.remove_at(index.position(item))
        self._removed(item)

    # what a store that keeps more indexes hooks in (called under the lock)
    def _added(self, item: T) -> None:
        pass

    def _replaced(self, old: T, new: T) -> None:
        pass

    def _removed(self, item: T) -> None:
        pass

    def all(self) -> list[T]:
        with self._lock:
            return list(self._by_id.values())

    def in_scope(self, scope: Scope) -> list[T]:
        """A snapshot of one scope, oldest first."""
        with self._lock:
            return self._scopes.get((scope, None), _ScopeIndex()).live()

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
            return self._page(self._scopes.get((scope, facet), _ScopeIndex()), scope, cursor, limit, keep)

    def _page(self, index: _ScopeIndex[T], scope: Scope, cursor: str | None, limit: int,
              keep: Callable[[T], bool] | None = None) -> Page[T]:
        records = index.items
        top = len(records)
        if cursor is not None:
            after = self._by_id.get(cursor)
            if after is None or after.scope != scope:
                raise UnknownCursor(cursor)
            top = index.after(after.seq)  # everything older than the cursor's record
        items: list[T] = []
        i = top - 1
        while i >= index.start and len(items) <= limit:
            record = records[i]
            if record is not None and (keep is None or keep(record)):
                items.append(record)
            i -= 1
        total = len(index) if keep is None else sum(1 for r in index.live() if keep(r))
        return Page(items=items[:limit], total=total, has_more=len(items) > limit)

    def clear(self) -> None:
        with self._lock:
            self._held.give(len(self._by_id))
            self._by_id.clear()
            self._scopes.clear()
            self._last_seq = 0
            self._cleared()

    def _cleared(self) -> None:
        pass

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_id)


class InMemoryReportStore(InMemoryStore[Report]):
    """Reports, with an index per status kept by the transitions.

    A report's status moves with the session's clock, so no index written at creation covers it; but the
    instants it moves at are known (its timeline's start and finish). The store keeps each report under its
    status as of `_as_of` in one more index per scope (and per scope and report type), and a heap of the
    instants still to come; a page filtered on a status first settles the index to the page's `now` (the
    instants passed since, each a move of one report), then pages that index: O(page + transitions since
    the last page), whatever the number of reports. A forced status, a delete, an eviction, a reset and a
    state import keep it true (tests/unit/test_status_index.py).
    """

    def __init__(self, max_reports: int = 100_000, quota: Quota | None = None) -> None:
        super().__init__(max_reports, facet=lambda report: report.report_type, quota=quota)
        self._as_of = EPOCH  # the instant the status index holds: never moves back
        self._status: dict[str, str] = {}  # report id -> its status as of _as_of
        self._changes: list[tuple[datetime, int, str]] = []  # heap: (instant, seq, id) still to come
        self._by_status: dict[tuple[Scope, str | None, str], _ScopeIndex[Report]] = {}

    def add_new(self, reports: list[Report], evictable: Callable[[Report], bool],
                announcements: DueQueue[tuple[str, datetime]]) -> list[Report]:
        first = self.next_seq(len(reports))
        stored = [report.sequenced(first + n) for n, report in enumerate(reports)]
        for report in stored:
            self.add(report, evictable)
            announcements.push(report.timeline.finishes, (report.id, report.timeline.finishes))
        return stored

    def page(self, scope: Scope, *, cursor: str | None, limit: int, keep: Callable[[Report], bool] | None = None,
             facet: str | None = None, status: str | None = None, now: datetime | None = None) -> Page[Report]:
        if status is None or now is None:
            return super().page(scope, cursor=cursor, limit=limit, keep=keep, facet=facet)
        with self._lock:
            self._settle(now)
            index = self._by_status.get((scope, facet, status), _ScopeIndex())
            return self._page(index, scope, cursor, limit, keep)

    def _settle(self, now: datetime) -> None:
        """Move the index on to `now`: each report whose start or finish passed goes under its status."""
        if now > self._as_of:
            self._as_of = now
        changes = self._changes
        due = []
        while changes and changes[0][0] <= self._as_of:
            due.append(heapq.heappop(changes))
        if len(due) > _REBUILD_AT + len(self._by_id) // 16:
            self._rebuild()  # a clock jump past many reports: one pass beats moving each (O(n) list moves)
            return
        for _, seq, report_id in due:
            report = self._by_id.get(report_id)
            if report is None or report.seq != seq:  # gone since (or gone and its id taken again)
                continue
            if report.status(self._as_of) != self._status[report_id]:
                self._unfile(report)
                self._file(report)
            self._schedule(report)

    def _rebuild(self) -> None:
        """Every report filed anew under its status as of _as_of, in seq order (each insert an append), and
        the heap made again from each report's next move."""
        self._status.clear()
        self._by_status.clear()
        for report in sorted(self._by_id.values(), key=lambda r: r.seq):
            self._file(report)
        self._reschedule()

    def _reschedule(self) -> None:
        """The heap made again from each report's next move."""
        self._changes = [(t, r.seq, r.id) for r in self._by_id.values()
                         if (t := _next_move(r, self._as_of)) is not None]
        heapq.heapify(self._changes)

    def _status_indexes(self, report: Report, status: str) -> list[_ScopeIndex[Report]]:
        keys = [(report.scope, None, status), (report.scope, report.report_type, status)]
        return [self._by_status.setdefault(key, _ScopeIndex()) for key in keys]

    def _file(self, report: Report) -> None:
        status = self._status[report.id] = report.status(self._as_of)
        for index in self._status_indexes(report, status):
            index.insert(report)

    def _unfile(self, report: Report) -> None:
        for index in self._status_indexes(report, self._status.pop(report.id)):
            index.remove_at(index.position(report))

    def _added(self, report: Report) -> None:
        self._file(report)
        self._schedule(report)

    def _replaced(self, old: Report, new: Report) -> None:
        self._unfile(old)
        self._file(new)
        self._schedule(new)

    def _removed(self, report: Report) -> None:
        self._unfile(report)

    def _cleared(self) -> None:
        self._status.clear()
        self._changes.clear()
        self._by_status.clear()

    def _schedule(self, report: Report) -> None:
        """The next instant after _as_of at which the report's status moves (a held `processing`: none)."""
        instant = _next_move(report, self._as_of)
        if instant is not None:
            heapq.heappush(self._changes, (instant, report.seq, report.id))
        if len(self._changes) > 2 * len(self._by_id) + 1024:  # instants of reports gone or forced since
            self._reschedule()


_REBUILD_AT = 256  # due moves beyond this (and a sixteenth of the reports) rebuild the index in one pass


def _next_move(report: Report, after: datetime) -> datetime | None:
    for instant in (report.timeline.starts, report.timeline.finishes):
        if after < instant < HELD:
            return instant
    return None


class InMemoryCounter:
    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    @property
    def value(self) -> int:
        return self._value

    def next(self, count: int = 1) -> int:
        with self._lock:
            self._value += count
            return self._value

    def set(self, value: int) -> None:
        with self._lock:
            self._value = value


class InMemoryLog(Generic[E]):
    """Newest last, capped; with a `LogBudget`, its entries also count against what every log of the process
    holds, and the oldest of any log go first past it (budget.py)."""

    def __init__(self, capacity: int, budget: LogBudget | None = None, sizer: Sizer = size_of,
                 counter: InMemoryCounter | None = None, name: str = "") -> None:
        self._capacity = max(capacity, 0)
        self._counter, self._name = counter, name  # numbers and names the entries (NumberedLog), when given
        self._entries: Entries[E] = Entries()
        self._lock = self._entries.lock
        self._budget, self._sizer = budget, sizer
        self._tokens = itertools.count()
        if budget is not None:
            weakref.finalize(self, budget.release, self._entries)  # dropped with its session: give it back

    @property
    def capacity(self) -> int:
        return self._capacity

    def append(self, entry: E) -> None:
        if self._capacity == 0:
            return
        victims: list[tuple[Entries[Any], int]] = []
        with self._lock:
            if self._budget is None:
                token = next(self._tokens)
            else:
                token, victims = self._budget.charge(self._entries, self._sizer(entry))
            self._entries[token] = entry
            while len(self._entries) > self._capacity:
                oldest, _ = self._entries.popitem(last=False)
                if self._budget is not None:
                    self._budget.release((oldest,))
        for entries, old in victims:  # past the budget: the oldest entries of any log, this one's included
            with entries.lock:
                entries.pop(old, None)

    def append_numbered(self: InMemoryLog[dict[str, Any]], entry: dict[str, Any]) -> None:
        assert self._counter is not None, "a log numbers its entries only with a counter"
        entry["_id"] = numbered_id(self._name, self._counter.next())
        self.append(entry)

    def all(self) -> list[E]:
        with self._lock:
            return list(self._entries.values())

    def replace_all(self, entries: list[E]) -> None:
        self.clear()
        kept = entries[-self._capacity:] if self._capacity else []
        if self._counter is not None:  # an entry without its name is named from its place, as on Redis
            first = self._counter.value - len(kept) + 1
            for n, entry in enumerate(kept, start=first):
                if isinstance(entry, dict) and entry.get("_id") is None:
                    entry["_id"] = numbered_id(self._name, n)
        for entry in kept:
            self.append(entry)

    def clear(self) -> None:
        with self._lock:
            if self._budget is not None:
                self._budget.release(self._entries.keys())
            self._entries.clear()


class InMemoryDueQueue(Generic[E]):
    """A min-heap by due instant; a counter keeps ties in arrival order and never compares items."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, E]] = []
        self._order = itertools.count()
        self._lock = threading.Lock()

    def push(self, due: datetime, item: E) -> None:
        with self._lock:
            heapq.heappush(self._heap, (due, next(self._order), item))

    def pop_due(self, now: datetime) -> list[E]:
        with self._lock:
            due = []
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap)[2])
            return due

    def next_due(self) -> datetime | None:
        with self._lock:
            return self._heap[0][0] if self._heap else None

    def done(self, item: E) -> None:
        """Nothing to release: what this process popped dies with it."""

    def all(self) -> list[tuple[datetime, E]]:
        with self._lock:
            return [(when, item) for when, _, item in sorted(self._heap, key=lambda entry: entry[:2])]

    def clear(self) -> None:
        with self._lock:
            self._heap.clear()


class InMemoryGuard:
    """Locks of this process: re-entrant, one per name."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.RLock] = {}
        self._firsts: set[str] = set()
        self._lock = threading.Lock()

    def lock(self, name: str) -> AbstractContextManager[object]:
        with self._lock:
            return self._locks.setdefault(name, threading.RLock())

    def first(self, name: str) -> bool:
        with self._lock:
            if name in self._firsts:
                return False
            self._firsts.add(name)
            return True


class InMemorySettings:
    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    def read(self) -> dict[str, Any]:
        return self._values

    def write(self, values: dict[str, Any]) -> None:
        self._values = dict(values)


@dataclass(frozen=True, slots=True)
class InMemoryStores:
    """The embedded default: every session's state in this process, capped per session as the settings say,
    and together within the process's quotas and log budget (budget.py)."""

    max_reports: int = 100_000
    journal_size: int = 1_000
    log_size: int = 10_000  # outbox entries and webhook attempts kept per session
    total_reports: int = 100_000
    total_recipients: int = 20_000
    total_webhooks: int = 5_000
    log_bytes: int = 128 * 1024 * 1024
    quotas: dict[str, Quota] = field(init=False)
    logs: LogBudget = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "quotas", {
            "reports": Quota("reports", self.total_reports, "--max-reports-total"),
            "recipients": Quota("recipients", self.total_recipients, "a fixed quota"),
            "webhooks": Quota("webhooks", self.total_webhooks, "a fixed quota"),
            "stubs": Quota("stubs", TOTAL_STUBS, "a fixed quota"),
        })
        object.__setattr__(self, "logs", LogBudget(self.log_bytes))

    @property
    def directory(self) -> None:
        return None  # each process keeps its own sessions

    def __call__(self, session: str, *, fresh: bool = True) -> SessionStores:
        counters = {name: InMemoryCounter() for name in COUNTERS}
        return SessionStores(
            reports=InMemoryReportStore(self.max_reports, self.quotas["reports"]),
            recipients=InMemoryStore[Recipient](quota=self.quotas["recipients"]),
            webhooks=InMemoryStore[Webhook](quota=self.quotas["webhooks"]),
            announcements=InMemoryDueQueue(),
            deliveries=InMemoryDueQueue(),
            outbox=InMemoryLog[dict[str, Any]](self.log_size, self.logs),
            attempts=InMemoryLog[dict[str, Any]](self.log_size, self.logs),
            journal=InMemoryLog[dict[str, Any]](self.journal_size, self.logs, counter=counters["journal"],
                                                name=journal_ids(session)),
            counters=counters,
            clock=LocalClockCell(),
            guard=InMemoryGuard(),
            windows=LocalWindows(),
            settings=InMemorySettings(),
            stubs=InMemoryStubs(self.quotas["stubs"]),
        )


class InMemoryStubs:
    """A session's stubs in this process (simulation.stubs.StubStore); written under the session's guard, and
    counted in the process's quota of stubs (TOTAL_STUBS across sessions, each at most 16 KiB)."""

    def __init__(self, quota: Quota | None = None) -> None:
        self._stubs: list[dict[str, Any]] = []
        self._held = Held(self, quota)

    def read(self) -> list[dict[str, Any]]:
        return self._stubs

    def write(self, stubs: list[dict[str, Any]]) -> None:
        for _ in range(len(stubs) - len(self._stubs)):
            self._held.take()  # a 503 past the quota, before anything changes
        self._held.give(max(0, len(self._stubs) - len(stubs)))
        self._stubs = list(stubs)
