"""The store interfaces the domain owns: what a service needs of the place its records live.

The embedded in-memory stores (`sendkit_mock.store`) and a shared one implement these; nothing here
knows of either, so the domain imports no store.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from .auth import Scope
from .reports import Report


class Record(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def seq(self) -> int: ...

    @property
    def scope(self) -> Scope: ...


T = TypeVar("T", bound=Record)


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    has_more: bool


class UnknownCursor(LookupError):
    """The cursor names no record of this scope."""


class Store(Protocol[T]):
    """Records of one kind, each in a scope; every read by an index."""

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
    def add(self, report: Report, evictable: Callable[[Report], bool]) -> list[Report]:
        """Store a report; return the reports evicted to stay under the cap."""
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
    ) -> Page[Report]:
        """Newest first, starting after `cursor`, within one facet (report type) if given.

        `keep` filters what no index covers (status, which moves with the clock) and makes `total`
        count what it keeps, at the cost of a scan of the scope.
        """
        ...

    def clear(self) -> None: ...

    def all(self) -> list[Report]: ...

    def __len__(self) -> int: ...


def refill(store: Store[T], records: list[T]) -> itertools.count[int]:
    """Replace every record of `store` with these (a state file's); the seqs that continue after them."""
    store.clear()
    for record in sorted(records, key=lambda r: r.seq):
        store.add(record)
    return itertools.count(max((r.seq for r in records), default=0) + 1)
