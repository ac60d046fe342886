"""What a contract run is asked to do: the deployment, the key, the scope, the budget, the rate."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..resources import spec_path

PHASES = ("examples", "coverage", "fuzzing", "stateful")
AUTO = "auto"  # rate limit: none on loopback, LIMIT_ELSEWHERE on any other host
LIMIT_ELSEWHERE = "5/s"


class UsageError(ValueError):
    """The options cannot give a verdict (nothing was sent)."""


@dataclass(frozen=True, slots=True)
class CheckOptions:
    base_url: str
    api_key: str
    workspace_id: str | None = None
    allow_destructive: bool = False
    rate_limit: str | None = AUTO  # "5/s", "100/m"; None: as fast as the deployment answers
    max_cases: int = 2500  # at 5/s, under 9 minutes
    max_examples: int = 20
    phases: tuple[str, ...] = PHASES
    seed: int = 20261202
    request_timeout: float = 10.0
    headers: tuple[tuple[str, str], ...] = ()
    spec: Path = field(default_factory=spec_path)

    @property
    def platform_key(self) -> bool:
        return self.api_key.startswith("sk_user_")

    @property
    def rate(self) -> str | None:
        if self.rate_limit != AUTO:
            return self.rate_limit
        return None if is_loopback(self.base_url) else LIMIT_ELSEWHERE


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:  # IPv4's short forms, 127.1 and the like, which ipaddress refuses and every resolver takes
        return ipaddress.ip_address(socket.inet_aton(host)).is_loopback
    except OSError:
        return False
