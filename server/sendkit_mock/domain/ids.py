"""ObjectId-shaped ids (24 hex) that repeat run after run for the same seed and the same requests."""

from __future__ import annotations

import random
import threading

BLOCK = 1024  # ids per random stream, so a state file's count is restored in at most this many draws


class IdFactory:
    def __init__(self, seed: int | str, namespace: str = "ids") -> None:
        """Separate namespaces keep background work (deliveries) from shifting the ids requests get."""
        self._name = f"sendkit-mock/{namespace}/{seed}"
        self._lock = threading.Lock()
        self._random = random.Random(self._name)
        self.issued = 0

    def new(self) -> str:
        with self._lock:
            if self.issued and self.issued % BLOCK == 0:
                self._random = self._stream(self.issued // BLOCK)
            self.issued += 1
            return f"{self._random.getrandbits(96):024x}"

    def reset(self) -> None:
        self.restore(0)

    def restore(self, issued: int) -> None:
        """As if `issued` ids had been handed out since the start (a state file records only the count)."""
        with self._lock:
            self._random = self._stream(issued // BLOCK)
            for _ in range(issued % BLOCK):
                self._random.getrandbits(96)
            self.issued = issued

    def _stream(self, block: int) -> random.Random:
        return random.Random(self._name if block == 0 else f"{self._name}/block-{block}")
