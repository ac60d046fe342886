"""The store interfaces the domain owns: where a session's mutable state lives.

A session's state is a `SessionStores`: its records (reports, recipients, webhooks), what waits for the
clock (reports to announce, webhook attempts to make), its capped logs (outbox, attempts, journal) and
its id counters. The embedded in-memory stores (`sendkit_mock.stores.memory`) and a shared one implement these
interfaces; nothing here knows of either, so the domain imports no store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from ..clock import ClockCell
from .auth import Scope
from .reports import Report

if TYPE_CHECKING:
    from .recipients import Recipient
    from .webhooks import Job, Webhook


class Record(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def seq(self) -> int: ...

    @property
    def scope(self) -> Scope: ...


T = TypeVar("T", bound=Record)
E = TypeVar("E")


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    has_more: bool


class UnknownCursor(LookupError):
    """The cursor names no record of this scope."""


class Store(Protocol[T]):
    """Records of one kind, each in a scope; every read by an index."""

    def next_seq(self, count: int = 1) -> int:
        """The creation order of the next record (the first of the next `count`): higher than every seq taken
        or stored so far."""
        ...

    def add(self, item: T, evictable: Callable[[T], bool] = ...) -> list[T]: ...

    def replace(self, item: T) -> None: ...

    def get(self, item_id: str) -> T | None: ...

    def delete(self, item_id: str) -> T | None: ...

    def in_scope(self, scope: Scope) -> list[T]: ...

    def all(self) -> list[T]: ...

    def page(self, scope: Scope, *, cursor: str | None, limit: int, keep: Callable[[T], bool] | None = None,
             facet: str | None = None) -> Page[T]: ...

    def clear(self) -> None: ...

    def __len__(self) -> int: ...


class ReportStore(Protocol):
    def next_seq(self, count: int = 1) -> int: ...

    def add(self, report: Report, evictable: Callable[[Report], bool]) -> list[Report]:
        """Store a report; return the reports evicted to stay under the cap."""
        ...

    def add_new(self, reports: list[Report], evictable: Callable[[Report], bool],
                announcements: DueQueue[tuple[str, datetime]]) -> list[Report]:
        """Store new reports, each given the next seq (theirs is ignored), and queue each one's finish on
        `announcements` (its id and the finish), in one step: a shared store writes them at once, so no worker
        sees a report that will not be announced. Answers the reports as stored."""
        ...

    def get(self, report_id: str) -> Report | None: ...

    def replace(self, report: Report) -> None:
        """Swap in a new version of a stored report (same id, seq and scope)."""
        ...

    def delete(self, report_id: str) -> Report | None: ...

    def page(
        self,
        scope: Scope,
        *,
        cursor: str | None,
        limit: int,
        keep: Callable[[Report], bool] | None = None,
        facet: str | None = None,
        status: str | None = None,
        now: datetime | None = None,
    ) -> Page[Report]:
        """Newest first, starting after `cursor`, within one facet (report type) if given, and with a `status`
        the reports that have it at `now` (a session's clock never moves back): by an index, at the cost of a
        page whatever the number of reports.

        `keep` filters what no index covers and makes `total` count what it keeps, at the cost of a scan.
        """
        ...

    def clear(self) -> None: ...

    def all(self) -> list[Report]: ...

    def __len__(self) -> int: ...


def refill(store: Store[T], records: list[T]) -> None:
    """Replace every record of `store` with these (a state file's); new seqs continue after theirs."""
    store.clear()
    for record in sorted(records, key=lambda r: r.seq):
        store.add(record)


class Counter(Protocol):
    """One id sequence: how many ids it has handed out."""

    @property
    def value(self) -> int: ...

    def next(self, count: int = 1) -> int:
        """Count `count` more and answer the new value (the first is 1)."""
        ...

    def set(self, value: int) -> None: ...


class Log(Protocol[E]):
    """Entries in the order they came, capped: past `capacity` the oldest go first (0: keeps nothing)."""

    @property
    def capacity(self) -> int: ...

    def append(self, entry: E) -> None: ...

    def all(self) -> list[E]:
        """Oldest first."""
        ...

    def replace_all(self, entries: list[E]) -> None: ...

    def clear(self) -> None: ...


class NumberedLog(Log[dict[str, Any]], Protocol):
    """A log whose entries a counter of its own numbers as they come (the count survives a trim; a state file
    sets it): the journal, whose entry ids are taken and written in one step."""

    def append_numbered(self, entry: dict[str, Any]) -> None:
        """Append `entry` as the counter's next number n: read back, it has `_id` = `ids.numbered_id(name, n)`
        for the log's name (unless it came with an `_id`, as a state file's entries do)."""
        ...


class DueQueue(Protocol[E]):
    """Items that wait for an instant of the session's clock."""

    def push(self, due: datetime, item: E) -> None: ...

    def pop_due(self, now: datetime) -> list[E]:
        """Take every item due at or before `now`, soonest first (ties in the order they came)."""
        ...

    def next_due(self) -> datetime | None:
        """When the soonest item falls due; None when nothing waits."""
        ...

    def done(self, item: E) -> None:
        """The work `pop_due` handed out for `item` is finished. A shared queue leases what it hands out: an
        item whose worker dies before this call goes back to the queue when its lease ends."""
        ...

    def all(self) -> list[tuple[datetime, E]]:
        """What waits, soonest first."""
        ...

    def clear(self) -> None: ...


class Windows(Protocol):
    """Rate-limit windows (simulation.behaviour.Windows): requests counted per key and window."""

    def hit(self, key: str, seconds: float) -> int:
        """Count one more request in window `key` (forgotten `seconds` after its first); answer the count."""
        ...


class SettingsCell(Protocol):
    """A session's own settings: what PATCH /__mock/settings changed from the server's (JSON values)."""

    def read(self) -> dict[str, Any]:
        """The changes (the same object until they change again)."""
        ...

    def write(self, values: dict[str, Any]) -> None: ...


class StubCell(Protocol):
    """A session's stubs (simulation.stubs.StubStore): JSON, in the order put."""

    def read(self) -> list[dict[str, Any]]: ...

    def write(self, stubs: list[dict[str, Any]]) -> None: ...


class Guard(Protocol):
    """Mutual exclusion over one session's state, held across every process that shares the stores."""

    def lock(self, name: str) -> AbstractContextManager[object]:
        """Held while a read-check-write on the state called `name` runs (re-entrant on one thread)."""
        ...

    def first(self, name: str) -> bool:
        """True for exactly one caller per session's stores (until they are cleared): e.g. who loads the
        fixtures."""
        ...


COUNTERS = ("reports", "recipients", "webhooks", "deliveries", "outbox", "journal")


@dataclass(frozen=True, slots=True)
class SessionStores:
    """Every piece of one session's mutable state but its clock, each behind an interface above."""

    reports: ReportStore
    recipients: Store[Recipient]
    webhooks: Store[Webhook]
    announcements: DueQueue[tuple[str, datetime]]  # (report id, the finish it waits for)
    deliveries: DueQueue[Job]  # webhook attempts waiting for their time
    outbox: Log[dict[str, Any]]
    attempts: Log[dict[str, Any]]
    journal: NumberedLog  # numbered by counters["journal"]
    counters: Mapping[str, Counter]  # one per name of COUNTERS
    clock: ClockCell
    guard: Guard
    windows: Windows  # the simulated rate limit's counts
    settings: SettingsCell
    stubs: StubCell  # the answers a test put on an operation's next requests


class SessionDirectory(Protocol):
    """The sessions a shared store holds, whichever process made them, and their expiry when idle."""

    def touch(self, session: str) -> bool:
        """Mark `session` used now (it lives another idle period); True when the store did not hold it."""
        ...

    def holds(self, session: str) -> bool:
        """Whether the store holds `session` (a look: it is not marked used)."""
        ...

    def names(self) -> list[str]:
        """Every session the store holds, least recently used first."""
        ...

    def drop(self, session: str) -> None:
        """Forget `session` and delete its state."""
        ...

    def expire(self) -> list[str]:
        """Drop the sessions idle past their time and those beyond the cap; answer their names."""
        ...

    def due(self, now: datetime) -> list[str]:
        """The sessions on a real-time clock with something due at `now`, by the base clock (the others
        need no tick)."""
        ...

    def claim_round(self, seconds: float) -> bool:
        """True for one caller per `seconds` among every process: the one that ticks every session then."""
        ...


class StoresFactory(Protocol):
    @property
    def directory(self) -> SessionDirectory | None:
        """None where each process keeps its own sessions (the embedded store)."""
        ...

    def __call__(self, session: str, *, fresh: bool = True) -> SessionStores:
        """The stores of a session: emptied first when `fresh` (a new or reset session); with `fresh=False` a
        shared store's existing state, as another process left it (the fixtures are loaded by the services)."""
        ...
