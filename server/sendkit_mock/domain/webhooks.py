"""Webhook registrations [C]: CRUD and the events they listen to (the `report.*` events are [I])."""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..clock import Clock, iso
from ..errors import BadRequest, Conflict, Detail, NotFound
from .auth import Authenticator, Principal, Scope
from .destinations import Destinations, Refused
from .ids import IdFactory
from .stores import Guard, Store, refill

REPORT_READY, REPORT_FAILED, TEST = "report.ready", "report.failed", "test"

PER_WORKSPACE = 100  # [I] webhooks one workspace may hold: the mock's bound, not SendKit's (unpublished)


@dataclass(frozen=True, slots=True)
class Job:
    """One webhook attempt waiting for its time: the signed body is made once, for every attempt."""

    delivery_id: str
    webhook_id: str
    workspace_id: str
    event: str
    body: bytes
    attempt: int  # 1-based number of the attempt this job makes


@dataclass(frozen=True, slots=True)
class Stats:
    total_delivered: int = 0
    total_failed: int = 0
    last_delivery_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    seq: int
    scope: Scope
    name: str
    url: str
    events: tuple[str, ...]
    secret: str
    retry_attempts: int
    timeout_ms: int
    status: str
    created_by: str
    stats: Stats
    created_at: datetime
    updated_at: datetime

    @property
    def workspace_id(self) -> str:
        return self.scope.id

    def listens_to(self, event: str) -> bool:
        return self.status == "active" and event in self.events

    def to_json(self) -> dict[str, Any]:
        last = self.stats.last_delivery_at
        return {
            "_id": self.id,
            "workspaceId": self.workspace_id,
            "name": self.name,
            "url": self.url,
            "events": list(self.events),
            "secret": self.secret,
            "retryAttempts": self.retry_attempts,
            "timeoutMs": self.timeout_ms,
            "status": self.status,
            "createdBy": self.created_by,
            "stats": {
                "totalDelivered": self.stats.total_delivered,
                "totalFailed": self.stats.total_failed,
                "lastDeliveryAt": iso(last) if last else None,
            },
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
        }


@dataclass(frozen=True, slots=True)
class WebhookPage:
    items: list[Webhook]
    total: int
    page: int
    limit: int

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.limit)


class WebhookService:
    def __init__(self, auth: Authenticator, clock: Clock, ids: IdFactory, seed: int | str,
                 store: Store[Webhook], guard: Guard, destinations: Destinations | None = None) -> None:
        self.auth, self.clock, self.ids, self.seed = auth, clock, ids, seed
        self.store = store
        self.destinations = destinations or Destinations(resolve=lambda host: [])
        self._guard = guard

    def restore(self, hooks: list[Webhook]) -> None:
        """Replace every webhook with these (a state file's); new ones continue after the highest seq."""
        with self._guard.lock("webhooks"):
            refill(self.store, hooks)

    def create(self, principal: Principal, header: str | None, body: Mapping[str, Any]) -> Webhook:
        ws = self.auth.workspace(principal, header)
        self._check_url(body["url"])
        if self.store.page(Scope.of("workspace", ws.id), cursor=None, limit=1).total >= PER_WORKSPACE:
            raise Conflict(f"The workspace holds its limit of {PER_WORKSPACE} webhooks: delete one first",
                           details=[Detail("url", f"At most {PER_WORKSPACE} webhooks per workspace")])
        now = self.clock.now()
        wid = self.ids.new()
        generated = random.Random(f"sendkit-mock/secret/{self.seed}/{wid}").getrandbits(256)
        secret = body.get("secret") or f"{generated:064x}"  # 32 bytes as hex [C], repeatable for the seed
        hook = Webhook(
            id=wid, seq=self.store.next_seq(), scope=Scope.of("workspace", ws.id), name=body["name"].strip(),
            url=body["url"],
            events=tuple(dict.fromkeys(body["events"])), secret=secret,
            retry_attempts=body.get("retryAttempts", 3), timeout_ms=body.get("timeoutMs", 10_000),
            status=body.get("status", "active"), created_by=principal.user.id, stats=Stats(),
            created_at=now, updated_at=now,
        )
        self.store.add(hook)
        return hook

    def _check_url(self, url: str) -> None:
        try:
            self.destinations.check(url)
        except Refused as refused:
            raise BadRequest.field("url", str(refused)) from None

    def get(self, principal: Principal, header: str | None, webhook_id: str) -> Webhook:
        ws = self.auth.workspace(principal, header)
        hook = self.store.get(webhook_id)
        if hook is None or hook.scope != Scope.of("workspace", ws.id):
            raise NotFound(details=[Detail("id", f"No webhook {webhook_id} in this workspace")])
        return hook

    def page(self, principal: Principal, header: str | None, *, page: int, limit: int,
             cursor: str | None = None) -> WebhookPage:
        """Newest first, by page number, or [C] after `cursor` (the `_id` of the last webhook seen)."""
        ws = self.auth.workspace(principal, header)
        items = self.store.in_scope(Scope.of("workspace", ws.id))[::-1]
        if cursor is not None:
            after = next((i for i, hook in enumerate(items) if hook.id == cursor), None)
            if after is None:
                raise NotFound.unknown_cursor()
            return WebhookPage(items[after + 1: after + 1 + limit], len(items), 1, limit)
        return WebhookPage(items[(page - 1) * limit: page * limit], len(items), page, limit)

    def update(self, principal: Principal, header: str | None, webhook_id: str, body: Mapping[str, Any]) -> Webhook:
        fields = {"name": "name", "url": "url", "events": "events", "secret": "secret",
                  "retryAttempts": "retry_attempts", "timeoutMs": "timeout_ms", "status": "status"}
        with self._guard.lock("webhooks"):
            hook = self.get(principal, header, webhook_id)
            if "url" in body:
                self._check_url(body["url"])
            changes: dict[str, Any] = {attr: body[key] for key, attr in fields.items() if key in body}
            if "events" in changes:
                changes["events"] = tuple(dict.fromkeys(changes["events"]))
            if "name" in changes:
                changes["name"] = changes["name"].strip()
            updated = dataclasses.replace(hook, **changes, updated_at=self.clock.now())
            self.store.replace(updated)
        return updated

    def delete(self, principal: Principal, header: str | None, webhook_id: str) -> Webhook:
        with self._guard.lock("webhooks"):
            hook = self.get(principal, header, webhook_id)
            self.store.delete(hook.id)
        return hook

    def subscribed(self, workspace_ids: tuple[str, ...], event: str) -> list[Webhook]:
        hooks = (h for ws in workspace_ids for h in self.store.in_scope(Scope.of("workspace", ws)))
        return [h for h in hooks if h.listens_to(event)]

    def count_delivery(self, webhook_id: str, delivered: bool, when: datetime) -> None:
        """One delivery's final outcome: delivered, or failed after every retry."""
        with self._guard.lock("webhooks"):
            hook = self.store.get(webhook_id)
            if hook is None:
                return
            s = hook.stats
            stats = Stats(s.total_delivered + delivered, s.total_failed + (not delivered), when)
            self.store.replace(dataclasses.replace(hook, stats=stats))
