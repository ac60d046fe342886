"""The server's open connections by client address, so a simulated fault can reset or close one.

ASGI gives an app no socket; `serve` (and anything that runs the mock with `protocol()`) uses uvicorn's
HTTP protocol class with two hooks that keep each connection's transport here, under the address the
request's scope names as its `client`. Served any other way, the faults that need the socket raise instead.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

from starlette.types import Scope


class Connections:
    def __init__(self) -> None:
        self._by_client: dict[tuple[str, int], asyncio.Transport] = {}

    def protocol(self) -> type[asyncio.Protocol]:
        """uvicorn's HTTP protocol (httptools, the C parser of `uvicorn[standard]`, else h11), keeping every
        connection's transport in this registry."""
        try:
            from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as Base
        except ImportError:  # httptools missing: the pure-Python parser
            from uvicorn.protocols.http.h11_impl import H11Protocol as Base  # type: ignore[assignment]

        registry = self._by_client

        class TrackedProtocol(Base):
            def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
                super().connection_made(transport)
                if self.client:
                    registry[(self.client[0], self.client[1])] = transport

            def connection_lost(self, exc: Exception | None) -> None:
                if self.client:
                    registry.pop((self.client[0], self.client[1]), None)
                super().connection_lost(exc)

        return TrackedProtocol

    def transport(self, scope: Scope) -> asyncio.Transport | None:
        client = scope.get("client")
        return self._by_client.get((client[0], client[1])) if client else None


def reset(transport: asyncio.Transport) -> None:
    """Drop the connection with a TCP reset (RST), as a crashed peer or a middlebox does."""
    sock: Any = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
