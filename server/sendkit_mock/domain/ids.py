"""ObjectId-shaped ids (24 hex) that repeat run after run for the same seed and the same requests.

The n-th id of a sequence is a function of the seed, the sequence's name and n alone: a counter (a store)
says how many were handed out, so a session restored from a count, or a counter shared by several
workers, continues with the ids a single process would have given.
"""

from __future__ import annotations

import hashlib
import random
import threading

from .stores import Counter

BLOCK = 1024  # ids per random stream: the n-th id costs at most this many draws from a cold start


class IdFactory:
    def __init__(self, seed: int | str, namespace: str, counter: Counter) -> None:
        """Separate namespaces keep background work (deliveries) from shifting the ids requests get."""
        self._name = f"sendkit-mock/{namespace}/{seed}"
        self.counter = counter
        self._lock = threading.Lock()
        self._block, self._drawn, self._last = -1, 0, 0
        self._random = random.Random()

    @property
    def issued(self) -> int:
        return self.counter.value

    def new(self) -> str:
        return self.nth(self.counter.next())

    def new_many(self, count: int) -> list[str]:
        """The next `count` ids, taken from the counter at once."""
        last = self.counter.next(count)
        return [self.nth(n) for n in range(last - count + 1, last + 1)]

    def restore(self, issued: int) -> None:
        """As if `issued` ids had been handed out since the start (a state file records only the count)."""
        self.counter.set(issued)

    def nth(self, n: int) -> str:
        """The n-th id (from 1): drawn on from the last one when it follows it, as it nearly always does."""
        block, index = divmod(n - 1, BLOCK)
        with self._lock:
            if block != self._block or index < self._drawn - 1:
                self._block, self._drawn = block, 0
                self._random = random.Random(self._name if block == 0 else f"{self._name}/block-{block}")
            while self._drawn <= index:
                self._last = self._random.getrandbits(96)
                self._drawn += 1
            return f"{self._last:024x}"


def numbered_id(name: str, n: int) -> str:
    """The n-th id of a sequence a store numbers itself as it writes (the journal's): a function of the name
    and n alone, so a shared store that learns n only when it reads (Redis) names an entry as the embedded
    store does when it writes."""
    return hashlib.sha1(f"{name}{n}".encode()).hexdigest()[:24]


def journal_ids(session: str) -> str:
    """The name of a session's journal ids (`numbered_id`), the same in every store."""
    return f"sendkit-mock/journal/{session}/"
