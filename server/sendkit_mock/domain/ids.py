"""ObjectId-shaped ids (24 hex) that repeat run after run for the same seed and the same requests."""

from __future__ import annotations

import random
import threading


class IdFactory:
    def __init__(self, seed: int | str) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self._random = random.Random(f"sendkit-mock/ids/{seed}")

    def new(self) -> str:
        with self._lock:
            return f"{self._random.getrandbits(96):024x}"

    def reset(self) -> None:
        with self._lock:
            self._random = random.Random(f"sendkit-mock/ids/{self._seed}")
