"""ObjectId-shaped ids (24 hex) that repeat run after run for the same seed and the same requests."""

from __future__ import annotations

import random
import threading


class IdFactory:
    def __init__(self, seed: int | str, namespace: str = "ids") -> None:
        """Separate namespaces keep background work (deliveries) from shifting the ids requests get."""
        self._name = f"sendkit-mock/{namespace}/{seed}"
        self._lock = threading.Lock()
        self._random = random.Random(self._name)

    def new(self) -> str:
        with self._lock:
            return f"{self._random.getrandbits(96):024x}"

    def reset(self) -> None:
        with self._lock:
            self._random = random.Random(self._name)
