"""How a webhook call leaves the process: real HTTP, or a fake that records and answers as told."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int | None  # None: no HTTP answer at all
    error: str | None
    latency_ms: int
    refused: bool = False  # never sent: the destination is not one webhooks may reach (domain/destinations.py)

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Sender(Protocol):
    def send(self, url: str, body: bytes, headers: dict[str, str], timeout_s: float,
             address: str | None = None) -> Outcome:
        """POST the body; `address`: the IP address to connect to, checked already (the URL's host is sent as
        Host)."""
        ...


def system_resolver(host: str) -> list[str]:
    """Every address the host resolves to; [] when it does not resolve."""
    try:
        return sorted({str(info[4][0]).split("%")[0] for info in socket.getaddrinfo(host, None)})
    except (OSError, UnicodeError):
        return []


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is the destination's answer, not a hop to take: the destination check saw only the registered
    URL, and urllib would follow a 302 to wherever it points (the mock's own control plane, a metadata address)."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class HttpSender:
    """POSTs with the standard library, following no redirect; every failure becomes an Outcome, never an
    exception."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic

    def send(self, url: str, body: bytes, headers: dict[str, str], timeout_s: float,
             address: str | None = None) -> Outcome:
        started = self._monotonic()
        parts = urllib.parse.urlsplit(url)
        if address is not None and parts.scheme == "http":  # the checked address, not a second look-up
            host = f"[{address}]" if ":" in address else address
            url = urllib.parse.urlunsplit(parts._replace(netloc=f"{host}:{parts.port or 80}"))
            headers = {**headers, "Host": parts.netloc}
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        status: int | None = None
        error: str | None = None
        try:
            with _OPENER.open(request, timeout=timeout_s) as response:  # a user-registered URL, checked
                status = response.status
        except urllib.error.HTTPError as exc:
            exc.close()  # its answer's connection
            status, error = exc.code, f"HTTP {exc.code}"
            if 300 <= exc.code < 400:
                error += f" (a redirect to {str(exc.headers.get('Location', '?'))[:200]}, not followed)"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            error = f"{type(reason).__name__}: {reason}"
        return Outcome(status, error, round((self._monotonic() - started) * 1000))


@dataclass(frozen=True, slots=True)
class SentCall:
    url: str
    body: bytes
    headers: dict[str, str]
    timeout_s: float
    address: str | None = None


@dataclass
class RecordingSender:
    """A fake receiver: records every call and answers with the next of `statuses` (then the last)."""

    statuses: Iterable[int | None] = (200,)
    calls: list[SentCall] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._answers = list(self.statuses)

    def send(self, url: str, body: bytes, headers: dict[str, str], timeout_s: float,
             address: str | None = None) -> Outcome:
        with self._lock:
            self.calls.append(SentCall(url, body, dict(headers), timeout_s, address))
            status = self._answers.pop(0) if len(self._answers) > 1 else self._answers[0]
        return Outcome(status, None if status is not None and status < 400 else f"HTTP {status}", 0)
