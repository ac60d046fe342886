"""The ticker: turns what the clock made happen into effects.

Each tick (a background thread in the running server, a direct call in tests):
1. queues the report of every recipient schedule that fell due, dated at the due instant [I];
2. for every report that reached `ready` or `failed`, e-mails its recipients (ready only) through the
   outbox and emits `report.ready` / `report.failed` to the webhooks that listen [I];
3. hands the webhook attempts that are due to the delivery executor.
"""

from __future__ import annotations

import logging
from datetime import datetime

from ..delivery.outbox import Outbox
from ..delivery.webhooks import WebhookDispatcher
from ..domain.auth import Principal, Scope
from ..domain.ids import IdFactory
from ..domain.lifecycle import READY
from ..domain.periods import scheduled_period
from ..domain.recipients import Recipient, RecipientService
from ..domain.reports import Report, Sections
from ..domain.service import ReportService
from ..domain.stores import Guard
from ..domain.webhooks import REPORT_FAILED, REPORT_READY

log = logging.getLogger("sendkit_mock")
MAX_CATCH_UP = 100  # due schedules handled per tick, so a big clock jump cannot stall a tick


class Ticker:
    def __init__(self, reports: ReportService, recipients: RecipientService, outbox: Outbox,
                 webhooks: WebhookDispatcher, ids: IdFactory, guard: Guard) -> None:
        self.reports, self.recipients, self.outbox, self.webhooks = reports, recipients, outbox, webhooks
        self.ids = ids
        self._guard = guard

    def tick(self) -> None:
        with self._guard.lock("tick"):  # one ticker at a time per session, across every process
            for recipient in self.recipients.due(self.reports.clock.now())[:MAX_CATCH_UP]:
                self._run_schedule(recipient)
            for report in self.reports.finished_since_last_call():
                self._announce(report)
                self.reports.announced(report)
            self.webhooks.run_due()

    def _run_schedule(self, recipient: Recipient) -> None:
        due = recipient.next_scheduled_at
        assert due is not None
        world = self.reports.world
        ws = world.workspace(recipient.workspace_id)
        owner = world.user(ws.owner_id) if ws else None
        if ws is not None and owner is not None:
            campaigns = [c for c in recipient.campaign_ids if c in ws.campaigns_by_id]
            self.reports.queue(
                scope=Scope.of("workspace", ws.id), workspace=ws, principal=Principal(owner, ws),
                report_type="campaign" if campaigns else "workspace", campaign_ids=campaigns,
                period=scheduled_period(recipient.schedule["frequency"], due),
                sections=Sections(), recipient_ids=(recipient.id,), created=due,
            )
        self.recipients.reschedule(recipient.id, after=due)

    def _announce(self, report: Report) -> None:
        status = report.status(self.reports.clock.now())
        finished_at = report.timeline.finishes
        if status == READY:
            for rid in report.recipient_ids:
                self._deliver(rid, report, finished_at)
        ws_ids = (report.workspace_id,) if report.workspace_id else tuple(
            w.id for w in self.reports.world.owned_by(report.user_id))
        event = REPORT_READY if status == READY else REPORT_FAILED
        self.webhooks.emit(event, ws_ids, report.workspace_id, lambda: self.reports.render(report))

    def _deliver(self, recipient_id: str, report: Report, when: datetime) -> None:
        recipient = self.recipients.store.get(recipient_id)
        if recipient is None or not recipient.active:
            return  # removed or paused since the report was queued
        self.outbox.send(self.ids.new(), recipient, report, when)
        self.recipients.delivered(recipient_id, when)
