"""Sessions: each one a whole world of its own, with its own clock, ids and state.

A session is created on first use from the fixtures and the seed, so the same requests in two fresh
sessions give the same ids and the same content. All mutable state of a session lives in its `Session`:
reports, recipients, webhooks, the outbox, delivery attempts, the request journal, its clock and its id
sequences. Reset is
building the session again. The registry keeps at most `cap` sessions; past that the least recently used
one other than `default` is dropped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .background import Ticker
from .clock import Clock, SessionClock
from .delivery.executors import Executor
from .delivery.outbox import Outbox
from .delivery.senders import Sender
from .delivery.webhooks import WebhookDispatcher
from .domain.auth import Authenticator
from .domain.content import ContentFactory
from .domain.ids import IdFactory
from .domain.lifecycle import Lifecycle
from .domain.recipients import Recipient, RecipientService
from .domain.service import ReportService
from .domain.stores import ReportStore
from .domain.webhooks import Webhook, WebhookService
from .domain.world import World
from .journal import Journal
from .settings import Settings
from .store import InMemoryReportStore, InMemoryStore

DEFAULT = "default"


@dataclass(slots=True)
class Session:
    name: str
    clock: SessionClock
    reports: ReportService
    recipients: RecipientService
    webhooks: WebhookService
    dispatcher: WebhookDispatcher
    outbox: Outbox
    ticker: Ticker
    journal: Journal
    journal_ids: IdFactory

    def tick(self) -> None:
        """Run what this session's clock made due: schedules, e-mails, webhook events and attempts."""
        self.ticker.tick()


@dataclass(frozen=True, slots=True)
class SessionParts:
    """What every session shares (the world, the settings, the base clock, the network seams) and how one
    is built from them. Content is shared too: it depends on the seed and the report alone."""

    settings: Settings
    world: World
    base_clock: Clock
    sender: Sender
    executor: Executor
    auth: Authenticator
    content: ContentFactory
    report_store: Callable[[], ReportStore] | None = None

    def build(self, name: str) -> Session:
        s = self.settings
        clock = SessionClock(self.base_clock, s.clock_mode)
        recipients = RecipientService(self.world, self.auth, clock, IdFactory(s.seed, "recipients"),
                                      InMemoryStore[Recipient]())
        reports = ReportService(
            world=self.world,
            store=self.report_store() if self.report_store else InMemoryReportStore(s.max_reports),
            clock=clock,
            ids=IdFactory(s.seed),
            lifecycle=Lifecycle(s.queued_seconds, s.processing_seconds, s.failure_rate, s.seed),
            content=self.content,
            recipient_ids=recipients.known_ids,
            auth=self.auth,
        )
        webhooks = WebhookService(self.auth, clock, IdFactory(s.seed, "webhooks"), s.seed, InMemoryStore[Webhook]())
        dispatcher = WebhookDispatcher(webhooks, self.sender, clock, self.executor, IdFactory(s.seed, "deliveries"),
                                       backoff_seconds=s.webhook_backoff_seconds)
        outbox = Outbox()
        ticker = Ticker(reports, recipients, outbox, dispatcher, IdFactory(s.seed, "outbox"))
        return Session(name, clock, reports, recipients, webhooks, dispatcher, outbox, ticker,
                       Journal(s.journal_size), IdFactory(s.seed, "journal"))


class Sessions:
    """The sessions by name, created on first use, capped; thread-safe."""

    def __init__(self, build: Callable[[str], Session], cap: int) -> None:
        self._build, self._cap = build, cap
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str | None = None) -> Session:
        name = name or DEFAULT
        with self._lock:
            session = self._sessions.get(name)
            if session is None:
                session = self._sessions[name] = self._build(name)
                self._drop_beyond_cap()
            self._sessions.move_to_end(name)
            return session

    def reset(self, name: str | None = None) -> Session:
        """The session as at start-up: a new one under the same name."""
        fresh = self.build(name)
        self.put(fresh)
        return fresh

    def build(self, name: str | None = None) -> Session:
        """A fresh session under `name`, not yet in the registry (to fill from a state file, then `put`)."""
        return self._build(name or DEFAULT)

    def put(self, session: Session) -> None:
        with self._lock:
            self._sessions[session.name] = session
            self._sessions.move_to_end(session.name)
            self._drop_beyond_cap()

    def all(self) -> list[Session]:
        with self._lock:
            return list(self._sessions.values())

    def _drop_beyond_cap(self) -> None:
        while len(self._sessions) > self._cap:
            oldest = next((n for n in self._sessions if n != DEFAULT), None)
            if oldest is None:
                return
            del self._sessions[oldest]
