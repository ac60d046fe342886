"""All settings and their defaults in one place; read from flags and from an injected environment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .domain.destinations import DestinationError, Destinations, Resolver, is_loopback, own_addresses
from .resources import default_fixtures_path
from .simulation.behaviour import Behaviour, BehaviourError

ENV_PREFIX = "SENDKIT_MOCK_"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 4010
    seed: int = 42
    fixtures: Path = field(default_factory=default_fixtures_path)
    queued_seconds: float = 1.0
    processing_seconds: float = 3.0
    failure_rate: float = 0.0
    max_reports: int = 100_000
    # The embedded store's ceiling across every session (stores/budget.py): reports held by the process (past
    # it a create is a 503), and the bytes the logs of every session hold (journal, outbox, attempts; past it
    # the oldest entries of any session go first).
    max_reports_total: int = 100_000
    log_budget_mib: int = 128
    max_body_bytes: int = 1_048_576
    webhook_backoff_seconds: float = 1.0
    delivery_workers: int = 8
    tick_seconds: float = 0.05
    cors_origins: str = "*"
    log_level: str = "info"
    access_log: bool = True  # a line per request, written in batches; --no-access-log for none
    clock_mode: str = "real"  # every session's clock: "real" follows the system clock, "manual" stands still
    max_sessions: int = 1000
    state: Path | None = None  # a state file (GET /__mock/state) loaded into the default session at start-up
    admin_token: str | None = None  # when set, every /__mock call needs X-Mock-Admin-Token with it
    allowed_hosts: str | None = None  # beyond IP addresses and localhost, Host names the control plane answers
    open_control_plane: bool = False  # beyond loopback without an admin token: only when asked for explicitly
    webhook_allow: str | None = None  # beyond loopback, where webhooks may point: names, *.patterns, CIDR ranges
    journal_size: int = 1000  # requests kept per session; 0 turns the journal off
    latency: str | None = None  # every session's API latency: 150, uniform:50-400, lognormal:median=120,sigma=0.5
    error_rate: float = 0.0  # share of API requests answered with a documented 500 or 503
    rate_limit: str | None = None  # requests per API key and session: 20/s, 600/min, 5000/h
    store: str = "memory"  # where sessions live: memory (this process) or redis://HOST:PORT/DB (shared)
    workers: int = 1  # worker processes; more than one needs a shared store
    session_idle_seconds: float = 86_400.0  # a shared store drops a session unused this long (not `default`)
    watch: bool = False  # reload the fixtures and openapi.yaml when they change, keeping every session
    tls: bool = False  # HTTPS on `port`, with a certificate for localhost from the mock's local CA
    tls_cert: Path | None = None  # the user's own certificate chain (PEM) instead of the local CA's; with tls_key
    tls_key: Path | None = None
    tls_port: int | None = None  # an HTTPS listener on this port beside the plain HTTP one on `port`
    data_dir: Path | None = None  # where the local CA is kept (default: the user's data directory)
    # Connection bounds (runtime/limits.py). Node's defaults are the model for the header cap (16 KiB, what its
    # http module allows); the timeouts are far above what any client on a network takes for a request of the
    # mock's size (1 MiB in 10 s is 0.8 Mbit/s) and far below "forever"; the keep-alive is uvicorn's and Node's 5 s.
    header_timeout: float = 10.0  # seconds for a request's line and headers; then 408 (or a silent close)
    body_timeout: float = 10.0  # seconds for a request's whole body once its headers are in; then 408
    keepalive_timeout: int = 5  # whole seconds (as uvicorn takes it) an idle kept-alive connection stays open
    max_header_bytes: int = 16_384  # request line and headers; more is a 431
    max_connections: int = 2048  # open at once per process (lowered to fit RLIMIT_NOFILE); more are a 503

    def __post_init__(self) -> None:
        checks = {
            "port": 0 <= self.port <= 65535,
            "queued_seconds": self.queued_seconds >= 0,
            "processing_seconds": self.processing_seconds >= 0,
            "failure_rate": 0.0 <= self.failure_rate <= 1.0,
            "max_reports": self.max_reports >= 1,
            "max_body_bytes": self.max_body_bytes >= 1,
            "webhook_backoff_seconds": self.webhook_backoff_seconds >= 0,
            "delivery_workers": self.delivery_workers >= 1,
            "tick_seconds": self.tick_seconds > 0,
            "clock_mode": self.clock_mode in ("real", "manual"),
            "max_sessions": self.max_sessions >= 1,
            "journal_size": self.journal_size >= 0,
            "max_reports_total": self.max_reports_total >= 1,
            "log_budget_mib": 1 <= self.log_budget_mib <= 65_536,
            "workers": 1 <= self.workers <= 64,
            "session_idle_seconds": self.session_idle_seconds > 0,
            "header_timeout": self.header_timeout > 0,
            "body_timeout": self.body_timeout > 0,
            "keepalive_timeout": self.keepalive_timeout > 0,
            "max_header_bytes": 1024 <= self.max_header_bytes <= 1_048_576,
            "max_connections": self.max_connections >= 1,
        }
        if self.tls_port is not None:
            checks["tls_port"] = 0 <= self.tls_port <= 65535 and (self.tls_port != self.port or self.port == 0)
        for name, ok in checks.items():
            if not ok:
                raise SettingsError(f"{name}={getattr(self, name)!r} is out of range")
        try:
            self.behaviour()
        except BehaviourError as exc:
            raise SettingsError(str(exc)) from None
        try:
            self.destinations(lambda host: [])
        except DestinationError as exc:
            raise SettingsError(str(exc)) from None
        if (self.tls_cert is None) != (self.tls_key is None):
            raise SettingsError("--tls-cert and --tls-key go together: the certificate chain and its private key")
        if self.store != "memory" and not self.store.startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError(f"store={self.store!r}: use memory, or a Redis URL such as redis://127.0.0.1:6379/0")
        if self.workers > 1 and self.store == "memory":
            raise SettingsError(
                f"workers={self.workers} needs a shared store: each worker would keep a world of its own in memory, "
                "so a report made through one would be missing from the next; add --store redis://HOST:PORT/DB")
        if not self.loopback and self.admin_token is None and not self.open_control_plane:
            raise SettingsError(
                f"--host {self.host} can be reached from other machines, and the control plane (/__mock) resets, "
                "rewinds and exports every session: give it a token with --admin-token TOKEN, or leave it open "
                "to anyone who reaches the port with --open-control-plane")

    @property
    def listeners(self) -> tuple[tuple[str, int], ...]:
        """(scheme, port) of each listener: HTTP on `port`, or HTTPS there (--tls), or both (--tls-port)."""
        if self.tls_port is not None:
            return ("http", self.port), ("https", self.tls_port)
        return (("https" if self.tls or self.tls_cert is not None else "http", self.port),)

    @property
    def loopback(self) -> bool:
        """Whether only this machine can reach the server."""
        return is_loopback(self.host)

    def destinations(self, resolve: Resolver) -> Destinations:
        """Where webhooks may point: anywhere on loopback, the --webhook-allow entries beyond it; never to
        link-local or metadata addresses, nor to the mock itself."""
        allow = (self.webhook_allow or "").split(",")
        own = own_addresses(self.host, *(port for _, port in self.listeners))
        return Destinations(allow, everywhere=self.loopback, own=own, resolve=resolve)

    def behaviour(self) -> Behaviour:
        """What every session simulates at its start: latency, injected errors, the rate limit."""
        return Behaviour.of(self.latency, self.error_rate, self.rate_limit)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> Settings:
        """Defaults, then SENDKIT_MOCK_<NAME> variables, then explicit overrides (CLI flags)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _convert(ENV_PREFIX + f.name.upper(), raw, f.type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _convert(name: str, raw: str, kind: Any) -> Any:
    kinds = {"int": int, "int | None": int, "float": float, "str": str, "str | None": str, "Path": Path,
             "Path | None": Path, "bool": _boolean}
    kind = kinds.get(str(kind), kind)
    try:
        return kind(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{name}={raw!r} is not a valid {getattr(kind, '__name__', kind)}") from None


def _boolean(raw: str) -> bool:
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)
