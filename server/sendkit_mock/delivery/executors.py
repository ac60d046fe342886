"""Where background work runs: inline (tests, deterministic) or on a bounded pool of threads (the server)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

log = logging.getLogger("sendkit_mock")


class Executor(Protocol):
    inline: bool  # the caller waits for the job: a delivery happens on the thread that submitted it

    def submit(self, job: Callable[[], None]) -> None: ...

    def shutdown(self) -> None: ...


class InlineExecutor:
    inline = True

    def submit(self, job: Callable[[], None]) -> None:
        job()

    def shutdown(self) -> None:
        return None


class PoolExecutor:
    """A slow receiver holds one worker; the others go on. A job that raises is logged, never fatal."""

    inline = False

    def __init__(self, workers: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sendkit-delivery")

    def submit(self, job: Callable[[], None]) -> None:
        self._pool.submit(_logged(job))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _logged(job: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("background delivery job failed")

    return run
