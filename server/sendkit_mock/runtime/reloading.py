"""`serve --watch`: the world (fixtures) and the contract (openapi.yaml) reloaded when their files change.

The server serves whichever mock is current. When a watched file changes, a new mock is built over the same
sessions' state (the embedded store's records, queues, logs and clocks are handed over; a shared store keeps
them anyway), and swapped in once it is whole; requests under way finish on the old one. A file with a
mistake keeps the previous world: the error is logged and kept in `error`, and nothing crashes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..app import Mock

log = logging.getLogger("sendkit_mock")
Build = Callable[[Mock | None], Mock]


class Reloading:
    """An ASGI app over the current mock, watching `paths`; its lifespan runs the current mock's ticker."""

    def __init__(self, build: Build, paths: list[Path]) -> None:
        self._build, self.paths = build, [p.resolve() for p in paths]
        self.mock = build(None)
        self.error: str | None = None  # why the last reload was refused; None once one succeeds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.mock.app(scope, receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.mock.background.start()
                self.start_watching()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.stop_watching()
                self.mock.background.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def reload(self, changed: list[Path] | None = None) -> bool:
        """Build the mock again from the files as they are now; keep the current one if they are wrong."""
        with self._lock:
            try:
                fresh = self._build(self.mock)
            except Exception as exc:  # a wrong fixture or contract of any kind: the old world stays
                self.error = f"{type(exc).__name__}: {exc}"
                self.mock.reloads.refused(self.error)
                log.error("serve --watch: kept the previous world and contract: %s", self.error)
                return False
            old, self.mock = self.mock, fresh
            old.background.stop()
            fresh.background.start()
            self.error = None
            fresh.reloads.succeeded()
            log.warning("serve --watch: reloaded after a change to %s; every session's state kept",
                        " and ".join(sorted({p.name for p in changed or self.paths})))
            return True

    def start_watching(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._watch, name="sendkit-watch", daemon=True)
            self._thread.start()

    def stop_watching(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=5)
            self._thread = None

    def _watch(self) -> None:
        import watchfiles

        watched = set(self.paths)
        folders = sorted({p.parent for p in self.paths})  # editors replace a file by renaming: watch its folder

        def relevant(_change: Any, path: str) -> bool:
            return Path(path).resolve() in watched

        for changes in watchfiles.watch(*folders, watch_filter=relevant, stop_event=self._stop, debounce=200,
                                        rust_timeout=500, yield_on_timeout=False):
            self.reload([Path(path) for _, path in changes])
