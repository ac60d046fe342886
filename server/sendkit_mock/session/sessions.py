"""Sessions: each one a whole world of its own, with its own clock, ids and state.

A session is created on first use from the fixtures and the seed, so the same requests in two fresh
sessions give the same ids and the same content. All mutable state of a session lives in its stores
(`domain.stores.SessionStores`: reports, recipients, webhooks, what waits for the clock, the outbox, the
attempt log, the journal and the id counters) and its clock; the services of a session are thin views
over them. Reset is building the session again over fresh stores. The registry keeps at most `cap`
sessions; past that the least recently used one other than `default` is dropped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..clock import Clock, SessionClock
from ..delivery.executors import Executor
from ..delivery.outbox import Outbox
from ..delivery.senders import Sender
from ..delivery.webhooks import WebhookDispatcher
from ..domain.auth import Authenticator
from ..domain.content import ContentFactory
from ..domain.destinations import Destinations
from ..domain.ids import IdFactory
from ..domain.lifecycle import Lifecycle
from ..domain.recipients import RecipientService
from ..domain.service import ReportService
from ..domain.stores import SessionDirectory, SessionStores, StoresFactory
from ..domain.webhooks import WebhookService
from ..domain.world import World
from ..settings import Settings
from ..simulation.behaviour import Behaviour, Simulator
from ..simulation.stubs import Stubs
from .journal import Journal
from .ticker import Ticker

DEFAULT = "default"
REPORT_IDS = "ids"  # the report sequence's name in the id streams (kept, so the README's ids hold)


@dataclass(slots=True)
class Session:
    name: str
    clock: SessionClock
    stores: SessionStores
    reports: ReportService
    recipients: RecipientService
    webhooks: WebhookService
    dispatcher: WebhookDispatcher
    outbox: Outbox
    ticker: Ticker
    journal: Journal
    simulator: Simulator
    stubs: Stubs  # the answers a test put on an operation's next requests
    defaults: Settings  # the server's; the session's own changes sit in stores.settings
    applied: dict[str, Any] | None = None  # the changes its services run with

    def sync(self) -> None:
        """Run with the session's own settings (PATCH /__mock/settings, made through any worker, kept over a
        reload): report timings and failures, latency, injected errors, the rate limit."""
        values = self.stores.settings.read()
        if values is self.applied:
            return
        d = self.defaults
        self.reports.lifecycle = Lifecycle(values.get("queuedSeconds", d.queued_seconds),
                                           values.get("processingSeconds", d.processing_seconds),
                                           values.get("failureRate", d.failure_rate), d.seed)
        self.simulator.behaviour = Behaviour.of(values["latency"] if "latency" in values else d.latency,
                                                values.get("errorRate", d.error_rate),
                                                values["rateLimit"] if "rateLimit" in values else d.rate_limit)
        self.applied = values

    def tick(self) -> None:
        """Run what this session's clock made due: schedules, e-mails, webhook events and attempts."""
        self.ticker.tick()

    def has_due(self) -> bool:
        """Whether a tick would find anything to do now (a look, not a claim)."""
        now = self.clock.now()
        return any(due is not None and due <= now for due in (
            self.stores.announcements.next_due(), self.stores.deliveries.next_due())) or \
            bool(self.recipients.due(now))


@dataclass(frozen=True, slots=True)
class SessionParts:
    """What every session shares (the world, the settings, the base clock, the network seams, where
    state is kept) and how one session is built from them. Content is shared too: it depends on the seed
    and the report alone."""

    settings: Settings
    world: World
    base_clock: Clock
    sender: Sender
    executor: Executor
    auth: Authenticator
    content: ContentFactory
    stores: StoresFactory
    destinations: Destinations  # where webhooks may point (--webhook-allow, the mock's own address)

    def build(self, name: str, fresh: bool = True, stores: SessionStores | None = None) -> Session:
        """A session's services over its stores: emptied first when `fresh`, else as a shared store holds them;
        or over `stores` given (a session carried into a reloaded world)."""
        s = self.settings
        stores = stores or self.stores(name, fresh=fresh)
        clock = SessionClock(self.base_clock, stores.clock, s.clock_mode)
        guard = stores.guard

        def ids(namespace: str, counter: str | None = None) -> IdFactory:
            return IdFactory(s.seed, namespace, stores.counters[counter or namespace])

        recipients = RecipientService(self.world, self.auth, clock, ids("recipients"), stores.recipients, guard)
        reports = ReportService(
            world=self.world, store=stores.reports, announcements=stores.announcements, clock=clock,
            ids=ids(REPORT_IDS, "reports"),
            lifecycle=Lifecycle(s.queued_seconds, s.processing_seconds, s.failure_rate, s.seed),
            content=self.content, guard=guard, recipient_ids=recipients.known_ids, auth=self.auth,
        )
        webhooks = WebhookService(self.auth, clock, ids("webhooks"), s.seed, stores.webhooks, guard,
                                  self.destinations)
        dispatcher = WebhookDispatcher(webhooks, self.sender, clock, self.executor, ids("deliveries"),
                                       stores.deliveries, stores.attempts, backoff_seconds=s.webhook_backoff_seconds)
        outbox = Outbox(stores.outbox)
        ticker = Ticker(reports, recipients, outbox, dispatcher, ids("outbox"), guard)
        journal = Journal(stores.journal)
        return Session(name, clock, stores, reports, recipients, webhooks, dispatcher, outbox, ticker, journal,
                       Simulator(s.behaviour(), s.seed, stores.windows), Stubs(stores.stubs, guard), s)


class Sessions:
    """The sessions by name, created on first use, capped; thread-safe.

    With the embedded store each process holds its sessions whole. With a shared store (a `directory`),
    every session lives in the store; a process keeps only views over it (services, clock), builds one on
    first use of a name whoever created the session, and lists, caps and expires sessions through the
    directory, so every worker sees the same sessions.
    """

    def __init__(self, build: Callable[[str, bool], Session], cap: int,
                 directory: SessionDirectory | None = None) -> None:
        self._build, self._cap, self.directory = build, cap, directory
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str | None = None) -> Session:
        name = name or DEFAULT
        new = self.directory is not None and self.directory.touch(name)
        with self._lock:
            if new:  # dropped by another worker since (expired, capped): a view over what is there now
                self._sessions.pop(name, None)
            session = self._sessions.get(name)
            if session is None:
                session = self._sessions[name] = self._build(name, self.directory is None)
                self._drop_beyond_cap()
            self._sessions.move_to_end(name)
        session.sync()
        return session

    def peek(self, name: str | None = None) -> Session | None:
        """The session if it exists, used by nobody: none is created, none moves in the LRU order or lives
        longer (what a refused request may see: the journal keeps its 401 only in a session that is there)."""
        name = name or DEFAULT
        if name == DEFAULT:
            return self.get(name)  # always there, never dropped
        if self.directory is not None and not self.directory.holds(name):
            return None  # a view this process kept may be of a session another worker dropped
        with self._lock:
            session = self._sessions.get(name)
        return session if session is not None or self.directory is None else self._view(name)

    def reset(self, name: str | None = None) -> Session:
        """The session as at start-up: a new one under the same name."""
        fresh = self.build(name)
        self.put(fresh)
        return fresh

    def build(self, name: str | None = None) -> Session:
        """A fresh session under `name` (a shared store's state is emptied now), to fill and then `put`."""
        name = name or DEFAULT
        if self.directory is not None:
            self.directory.touch(name)
        return self._build(name, True)

    def put(self, session: Session) -> None:
        with self._lock:
            self._sessions[session.name] = session
            self._sessions.move_to_end(session.name)
            self._drop_beyond_cap()

    def all(self) -> list[Session]:
        """Every session: this process's, or with a shared store every session the store holds."""
        if self.directory is None:
            with self._lock:
                return list(self._sessions.values())
        names = self.directory.names()
        with self._lock:
            missing = [n for n in names if n not in self._sessions]
        for name in missing:  # a session another worker made: a view over it, not a new session
            self._view(name)
        with self._lock:
            return [self._sessions[n] for n in names if n in self._sessions]

    def names(self) -> list[str]:
        """Every session's name, `default` first, the others in order; a shared store's whole list."""
        if self.directory is None:
            with self._lock:
                names = list(self._sessions)
        else:
            names = self.directory.names()
        return [DEFAULT, *sorted(n for n in set(names) if n != DEFAULT)]

    def ticking(self, now: datetime) -> list[Session]:
        """The sessions the real-time ticker runs: those on a real clock with something due now, so idle
        sessions cost a look each (with a shared store, one call to it for them all)."""
        if self.directory is None:
            found = [s for s in self.all() if s.clock.mode == "real" and s.has_due()]
        else:
            due = self.directory.due(now)
            with self._lock:
                known = {n: self._sessions.get(n) for n in due}
            found = [view if view is not None else self._view(n) for n, view in known.items()]
        for session in found:
            session.sync()  # a recipient's schedule queues reports with the session's own timings
        return found

    def _view(self, name: str) -> Session:
        view = self._build(name, False)
        with self._lock:
            return self._sessions.setdefault(name, view)

    def expire(self) -> list[str]:
        """Drop what a shared store keeps past its time or its cap (the embedded store caps on creation)."""
        if self.directory is None:
            return []
        dropped = self.directory.expire()
        with self._lock:
            for name in dropped:
                self._sessions.pop(name, None)
        return dropped

    def _drop_beyond_cap(self) -> None:
        while len(self._sessions) > self._cap:
            oldest = next((n for n in self._sessions if n != DEFAULT), None)
            if oldest is None:
                return
            del self._sessions[oldest]  # with a shared store only the view goes: the directory caps the state
