"""The running server's background work: a thread that ticks every real-time session, and the webhook executor."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable

from ..delivery.executors import Executor
from ..errors import StoreUnavailable

log = logging.getLogger("sendkit_mock")


class TickerThread:
    """Calls `tick` every `interval` seconds until stopped; an error in one tick is logged, not fatal."""

    def __init__(self, tick: Callable[[], None], interval: float = 0.05) -> None:
        self.tick, self.interval = tick, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sendkit-ticker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        outage = False
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except StoreUnavailable as exc:  # one line per outage, not one per tick; the next tick catches up
                if not outage:
                    log.warning("ticker paused: %s", exc.__cause__ or exc.message)
                outage = True
            except Exception:
                log.exception("ticker failed; continuing")
            else:
                if outage:
                    log.warning("ticker resumed: the store answers again")
                outage = False


class Background:
    """The running server's background work: a ticker thread over every real-time session, and the webhook
    executor. Started and stopped by the server's ASGI lifespan (or by hand)."""

    def __init__(self, tick: Callable[[], None], interval: float, executor: Executor) -> None:
        self.tick, self.interval, self.executor = tick, interval, executor
        self._thread: TickerThread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self._thread is None:
            self._thread = TickerThread(self.tick, self.interval)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
        self.executor.shutdown()

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: object) -> AsyncIterator[None]:
        self.start()
        try:
            yield
        finally:
            self.stop()
