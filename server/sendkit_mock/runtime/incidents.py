"""What went wrong inside the mock: a 500 of its own, an answer that broke the contract, a refused reload.

The mock answers such a request with SendKit's 500 and logs it; it also keeps it here, by session, so that a
test harness (the pytest plugin) can fail the very test whose request caused it, with the mock's traceback.
Injected errors (`Prefer: code=500`, an error rate) are answers the client asked for, never incidents.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Incident:
    session: str
    request: str  # "POST /v1/reports"
    message: str
    traceback: str  # the mock's traceback, or the contract's complaint about the answer

    def describe(self) -> str:
        return f"sendkit-mock: {self.request} (session {self.session}): {self.message}\n{self.traceback}".rstrip()


class Incidents:
    """The newest incidents (a bounded number), safe to record from any thread."""

    def __init__(self, keep: int = 100) -> None:
        self._kept: deque[Incident] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def record(self, incident: Incident) -> None:
        with self._lock:
            self._kept.append(incident)

    def take(self, session: str | None = None) -> list[Incident]:
        """Remove and return the incidents of `session` (of every session when None), oldest first."""
        with self._lock:
            taken = [i for i in self._kept if session is None or i.session == session]
            for incident in taken:
                self._kept.remove(incident)
            return taken


class Reloads:
    """`serve --watch`: how many reloads took effect and why the last one was refused, for the control plane
    (`GET /__mock/server`) and the dashboard's banner. One object lives on across the mocks a reload swaps."""

    def __init__(self, watching: bool = False) -> None:
        self.watching = watching
        self.count = 0
        self.error: str | None = None

    def succeeded(self) -> None:
        self.count += 1
        self.error = None

    def refused(self, error: str) -> None:
        self.error = error

    def to_json(self) -> dict[str, object]:
        return {"watching": self.watching, "reloads": self.count, "error": self.error}
