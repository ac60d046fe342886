"""Webhook deliveries: signed, retried with backoff, every attempt logged, never in a request's way.

Signature [C header, I encoding]: `X-Webhook-Signature` = hex HMAC-SHA256 of the raw body, keyed with
the webhook's secret. Retries: after a failed attempt n (1-based) the next comes `backoff * 2**(n-1)`
seconds later by the injected clock, up to `retryAttempts` retries.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ..clock import Clock, iso
from ..domain.destinations import Refused
from ..domain.ids import IdFactory
from ..domain.stores import DueQueue, Log
from ..domain.webhooks import TEST, Job, Webhook, WebhookService
from .executors import Executor
from .senders import Outcome, Sender


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookDispatcher:
    def __init__(self, webhooks: WebhookService, sender: Sender, clock: Clock, executor: Executor, ids: IdFactory,
                 queue: DueQueue[Job], log: Log[dict[str, Any]], backoff_seconds: float = 1.0) -> None:
        self.webhooks, self.sender, self.clock, self.executor, self.ids = webhooks, sender, clock, executor, ids
        self.queue, self.log = queue, log  # attempts waiting for their time; every attempt made
        self.backoff_seconds = backoff_seconds

    def emit(self, event: str, workspace_ids: tuple[str, ...], payload_workspace: str | None,
             data: Callable[[], Any]) -> int:
        """Queue `event` for every active webhook of those workspaces that listens to it.

        `data` is called only when some webhook listens: rendering a ready report builds its content.
        """
        hooks = self.webhooks.subscribed(workspace_ids, event)
        if not hooks:
            return 0
        now = self.clock.now()
        body = json.dumps({"event": event, "timestamp": iso(now), "workspaceId": payload_workspace, "data": data()},
                          separators=(",", ":")).encode()
        for hook in hooks:
            self.queue.push(now, Job(self.ids.new(), hook.id, hook.workspace_id, event, body, 1))
        return len(hooks)

    def run_due(self) -> None:
        """Hand every attempt that is due to the executor (inline in tests, a thread pool in the server)."""
        for job in self.queue.pop_due(self.clock.now()):
            self.executor.submit(functools.partial(self._attempt, job))

    def send_test(self, hook: Webhook) -> Outcome:
        """POST /v1/webhooks/{id}/test: one signed `test` event, answered synchronously."""
        body = json.dumps({"event": TEST, "timestamp": iso(self.clock.now()), "workspaceId": hook.workspace_id,
                           "data": {"message": "This is a test event from SendKit"}}, separators=(",", ":")).encode()
        outcome = self._call(hook, Job(self.ids.new(), hook.id, hook.workspace_id, TEST, body, 1))
        self.webhooks.count_delivery(hook.id, outcome.delivered, self.clock.now())
        return outcome

    def attempts(self, workspace_id: str, webhook_id: str | None = None) -> list[dict[str, Any]]:
        return [a for a in self.log.all() if a["workspaceId"] == workspace_id
                and (webhook_id is None or a["webhookId"] == webhook_id)]

    def _attempt(self, job: Job) -> None:
        try:
            self._make(job)
        finally:
            self.queue.done(job)  # the next attempt, if any, is queued by now

    def _make(self, job: Job) -> None:
        hook = self.webhooks.store.get(job.webhook_id)
        if hook is None or hook.status != "active":
            return  # deleted or paused since: nothing more to send
        outcome = self._call(hook, job)
        now = self.clock.now()
        if outcome.delivered or outcome.refused or job.attempt > hook.retry_attempts:
            self.webhooks.count_delivery(hook.id, outcome.delivered, now)
            return
        delay = timedelta(seconds=self.backoff_seconds * 2 ** (job.attempt - 1))
        self.queue.push(now + delay, Job(job.delivery_id, job.webhook_id, job.workspace_id, job.event, job.body,
                                    job.attempt + 1))

    def _call(self, hook: Webhook, job: Job) -> Outcome:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "sendkit-mock-webhooks/1",
            "X-Webhook-Event": job.event,
            "X-Webhook-Signature": sign(hook.secret, job.body),
            "X-Webhook-Delivery": job.delivery_id,
        }
        try:
            checked = self.webhooks.destinations.check(hook.url, resolve=True)  # what the name resolves to now
        except Refused as refused:
            outcome = Outcome(None, f"Refused: {refused}", 0, refused=True)
        else:
            outcome = self.sender.send(hook.url, job.body, headers, hook.timeout_ms / 1000, checked.address)
        self.log.append({
            "deliveryId": job.delivery_id, "webhookId": hook.id, "workspaceId": hook.workspace_id,
            "event": job.event, "attempt": job.attempt, "url": hook.url, "statusCode": outcome.status,
            "delivered": outcome.delivered, "latencyMs": outcome.latency_ms, "error": outcome.error,
            "at": iso(self.clock.now()),
        })
        return outcome
