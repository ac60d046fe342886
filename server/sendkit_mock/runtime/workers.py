"""`serve --workers N`: N server processes on one listening socket (two with --tls-port), over a shared store.

The supervisor binds the socket once and starts each worker with it (multiprocessing's spawn: a fresh
interpreter, no thread or lock of the parent's copied into it); each worker builds its own mock over the
shared store and runs uvicorn on the socket, so the kernel spreads connections among them. A worker that
dies is started again; SIGINT or SIGTERM stops them all. uvicorn's own supervisor pickles its Config for
each worker, and the mock's HTTP protocol (which keeps connections for simulated faults) is a class made
per mock, so the mock is built in the worker here instead.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from ..settings import Settings

log = logging.getLogger("sendkit_mock")
Worker = Callable[[Settings, list[socket.socket]], None]


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and without it
    # every answer on a kept-alive connection waited 40 ms for a delayed ACK (180 req/s on 2 workers)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    def __init__(self, settings: Settings, worker: Worker) -> None:
        self.settings, self.worker = settings, worker
        self._context = multiprocessing.get_context("spawn")
        self._stop = threading.Event()
        self._processes: list[Any] = []

    def run(self) -> int:
        logging.basicConfig(level=self.settings.log_level.upper(), format="%(levelname)s:     %(message)s")
        socks = [bind(self.settings.host, port) for _, port in self.settings.listeners]  # HTTP, HTTPS (--tls-port)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        self._processes = [self._start(socks, n) for n in range(self.settings.workers)]
        try:
            while not self._stop.wait(0.5):
                for n, process in enumerate(self._processes):
                    if not process.is_alive() and not self._stop.is_set():
                        log.warning("worker %d (pid %s) exited with %s; starting it again", n, process.pid,
                                    process.exitcode)
                        self._processes[n] = self._start(socks, n)
        finally:
            for process in self._processes:
                process.terminate()
            for process in self._processes:
                process.join(timeout=10)
            for sock in socks:
                sock.close()
        return 0

    def _start(self, socks: list[socket.socket], n: int) -> Any:
        process = self._context.Process(target=self.worker, args=(self.settings, socks), name=f"sendkit-worker-{n}")
        process.start()
        log.info("worker %d started (pid %s)", n, process.pid)
        return process

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()
