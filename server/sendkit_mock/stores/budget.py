"""The embedded store's ceiling: what every session of this process may keep, together.

Each session is capped (reports, logs), but sessions are many (`--max-sessions`), so caps per session
multiply into no ceiling at all. Two shared accounts give one:

* `Quota`: a count of records of one kind (reports, recipients, webhooks) across every session. Past it, a
  store makes room from its own evictable records (a session's oldest finished report, as its own cap does),
  or refuses the write (`StoreFull`, a 503 with Retry-After): nothing a client stored is dropped for another.
* `LogBudget`: the bytes the logs of every session hold (journal, outbox, webhook attempts). The logs are
  records of what happened, not what a client stored: past the budget the oldest entries of any session go
  first, as past a log's own cap its oldest entries go.

A store gives back what it holds when it is cleared, and when it is dropped with its session (a finalizer:
sessions are evicted and reset by replacing their stores, not by clearing them).
"""

from __future__ import annotations

import itertools
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import StoreUnavailable

E = TypeVar("E")


class StoreFull(StoreUnavailable):
    """The process holds as many records of a kind as its quota allows: a client may retry once some go."""

    retry_after = 60


class Quota:
    """A count of records of one kind, shared by every session's store of that kind in this process."""

    def __init__(self, kind: str, limit: int, flag: str) -> None:
        self.kind, self.limit, self.flag = kind, limit, flag
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> None:
        if not self.try_take():
            raise StoreFull(f"This mock holds its limit of {self.limit:,} {self.kind} across sessions "
                            f"({self.flag}): delete some, or reset a session, and try again")

    def try_take(self) -> bool:
        with self._lock:
            if self.used >= self.limit:
                return False
            self.used += 1
            return True

    def give(self, count: int = 1) -> None:
        with self._lock:
            self.used = max(0, self.used - count)


class Held:
    """What one store holds of a quota, given back when the store is cleared or dropped."""

    def __init__(self, owner: object, quota: Quota | None) -> None:
        self.quota, self.count = quota, [0]
        if quota is not None:
            weakref.finalize(owner, _give_back, quota, self.count)

    def take(self) -> None:
        if self.quota is not None:
            self.quota.take()
            self.count[0] += 1

    def try_take(self) -> bool:
        if self.quota is None:
            return True
        if not self.quota.try_take():
            return False
        self.count[0] += 1
        return True

    def give(self, count: int = 1) -> None:
        if self.quota is not None and count:
            self.quota.give(count)
            self.count[0] -= count


def _give_back(quota: Quota, count: list[int]) -> None:
    quota.give(count[0])


class Entries(OrderedDict[int, E]):
    """A log's entries by token, oldest first, with the lock that guards them (the budget drops entries of
    other logs than the one appending)."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()


class LogBudget:
    """Bytes held by the entries of every log in this process, oldest first across logs.

    `charge` returns what must go to stay within the budget, as (log entries, token) pairs: the caller
    drops them after releasing its own log's lock, so two logs appending at once never wait on each other.
    """

    def __init__(self, limit_bytes: int) -> None:
        self.limit = limit_bytes
        self.used = 0
        self._order: OrderedDict[int, tuple[Entries[Any], int]] = OrderedDict()
        self._tokens = itertools.count()
        self._lock = threading.Lock()

    def charge(self, entries: Entries[Any], size: int) -> tuple[int, list[tuple[Entries[Any], int]]]:
        """A token for a new entry of `entries`, and what must go for it."""
        with self._lock:
            token = next(self._tokens)
            self._order[token] = (entries, size)
            self.used += size
            victims = []
            while self.used > self.limit and len(self._order) > 1:
                old, (held, old_size) = self._order.popitem(last=False)
                self.used -= old_size
                victims.append((held, old))
            return token, victims

    def release(self, tokens: Any) -> None:
        with self._lock:
            for token in list(tokens):
                found = self._order.pop(token, None)
                if found is not None:
                    self.used -= found[1]


def size_of(value: Any, depth: int = 0) -> int:
    """About the bytes a JSON-like value holds in this process (its containers, strings and numbers)."""
    if isinstance(value, str):
        return 49 + len(value) * (1 if value.isascii() else 4)
    if depth > 16:
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(size_of(k, depth + 1) + size_of(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sys.getsizeof(value) + sum(size_of(v, depth + 1) for v in value)
    return 32


Sizer = Callable[[Any], int]
