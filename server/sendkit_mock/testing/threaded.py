"""An ASGI app served by uvicorn on a free 127.0.0.1 port, in a background thread of the calling process."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..runtime.tls import Certificate


class ServerDidNotStart(RuntimeError):
    pass


class ThreadedServer:
    """`start()` returns once the port is listening (the lifespan has run); `stop()` waits for the thread."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0,
                 http: type[asyncio.Protocol] | str = "h11", log_level: str = "warning",
                 certificate: Certificate | None = None, lifespan: Literal["on", "off"] = "on") -> None:
        """With a `certificate`, HTTPS; `lifespan="off"` for a second listener on an app another one runs."""
        import uvicorn

        from ..runtime.tls import STOP_SECONDS

        tls = certificate.uvicorn_options() if certificate is not None else {}
        config = uvicorn.Config(app, host=host, port=port, http=http, lifespan=lifespan, log_level=log_level,
                                access_log=False, ws="none", timeout_graceful_shutdown=STOP_SECONDS,
                                **tls)  # no WebSocket route
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=f"sendkit-mock {host}:{port}", daemon=True)
        self.host, self.port, self.scheme = host, port, "https" if certificate else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> ThreadedServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        if not self._server.started:
            self.stop()
            raise ServerDidNotStart(f"uvicorn did not start on {self.host}:{self.port} (see its log above)")
        sockets = [s for server in self._server.servers for s in server.sockets]
        self.port = int(sockets[0].getsockname()[1])
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
