"""The Reports API's rules: who may create, see and delete which report. No framework, no I/O."""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from ..clock import Clock
from ..errors import BadRequest, Conflict, Detail, NotFound, unknown_campaigns
from .auth import Authenticator, Principal, Scope
from .ids import IdFactory
from .lifecycle import FAILED, FINISHED, QUEUED, READY, Lifecycle
from .periods import Period, resolve_period
from .readonly import frozen
from .reports import Report, Sections
from .stores import DueQueue, Guard, Page, ReportStore, UnknownCursor
from .world import Workspace, World


class ContentGenerator(Protocol):
    def __call__(self, report: Report) -> dict[str, Any]:
        """The `data` of a ready report: pure, the same for the same report and seed."""
        ...


FINISHED_KEPT = 4096  # rendered finished reports kept per session: a few pages' worth, polled again and again


def queued_message(count: int) -> str:
    return f"{count} report{'s' if count != 1 else ''} queued for generation"


class ReportService:
    def __init__(
        self,
        world: World,
        store: ReportStore,
        announcements: DueQueue[tuple[str, datetime]],
        clock: Clock,
        ids: IdFactory,
        lifecycle: Lifecycle,
        content: ContentGenerator,
        guard: Guard,
        recipient_ids: Callable[[tuple[Workspace, ...]], set[str]] | None = None,
        auth: Authenticator | None = None,
    ) -> None:
        self.world = world
        self.auth = auth or Authenticator(world)
        self.store = store
        self.announcements = announcements  # reports to announce when they finish
        self.clock = clock
        self.ids = ids
        self.lifecycle = lifecycle
        self.content = content
        self.recipient_ids = recipient_ids or (lambda workspaces: {r.id for ws in workspaces for r in ws.recipients})
        self._guard = guard
        self._finished: OrderedDict[tuple[str, bool], tuple[Report, dict[str, Any]]] = OrderedDict()
        self._finished_lock = threading.Lock()

    # --- queries -------------------------------------------------------------------------------
    def render(self, report: Report, *, with_data: bool = True) -> dict[str, Any]:
        """The report as the API shows it. A finished one no longer changes (a session's clock only goes on,
        and a forced status is a new Report), so its form is kept, read-only, for the next poll or page."""
        key = (report.id, with_data)
        with self._finished_lock:
            kept = self._finished.get(key)
            if kept is not None and kept[0] == report:  # a shared store reads a new, equal Report
                self._finished.move_to_end(key)
                return kept[1]
        now = self.clock.now()
        status = report.status(now)
        body = report.to_json(now, self.content(report) if with_data and status == READY else None,
                              with_data=with_data)
        if status in FINISHED:
            body = frozen(body)
            with self._finished_lock:
                self._finished[key] = (report, body)
                while len(self._finished) > FINISHED_KEPT:
                    self._finished.popitem(last=False)
        return body

    def render_summary(self, report: Report) -> dict[str, Any]:
        return report.summary_json(self.clock.now())

    def get(self, principal: Principal, workspace_header: str | None, report_id: str) -> Report:
        scope = self.auth.read_scope(principal, workspace_header)
        report = self.store.get(report_id)
        if report is None or report.scope != scope:
            # another tenant's report is indistinguishable from a missing one
            raise NotFound(details=[Detail("id", f"No report {report_id} that this key can read")])
        return report

    def page(
        self,
        principal: Principal,
        workspace_header: str | None,
        *,
        cursor: str | None,
        limit: int,
        status: str | None = None,
        report_type: str | None = None,
    ) -> Page[Report]:
        scope = self.auth.read_scope(principal, workspace_header)
        try:
            if status:
                return self.store.page(scope, cursor=cursor, limit=limit, facet=report_type, status=status,
                                       now=self.clock.now())
            return self.store.page(scope, cursor=cursor, limit=limit, facet=report_type)
        except UnknownCursor:
            raise NotFound.unknown_cursor() from None

    def delete(self, principal: Principal, workspace_header: str | None, report_id: str) -> Report:
        report = self.get(principal, workspace_header, report_id)
        self.store.delete(report.id)
        return report

    # --- creation ------------------------------------------------------------------------------
    def create(self, principal: Principal, workspace_header: str | None, body: Mapping[str, Any],
               start_in: str = QUEUED) -> list[Report]:
        report_type = body["reportType"]
        if report_type == "organizational":
            scope = self.auth.organizational_scope(principal, workspace_header)
            workspaces = self.world.owned_by(principal.user.id)
            workspace = None
        else:
            workspace = self.auth.workspace(principal, workspace_header)
            scope, workspaces = Scope.of("workspace", workspace.id), (workspace,)
        details: list[Detail] = []
        campaign_ids: list[str] = list(body.get("campaignIds") or []) if report_type == "campaign" else []
        if report_type == "campaign" and not campaign_ids:
            details.append(Detail("campaignIds", "Required for campaign reports: 1 to 10 campaign ids"))
        try:
            period = resolve_period(body.get("periodStart"), body.get("periodEnd"), self.clock.now().date())
        except BadRequest as exc:
            details.extend(exc.details)
        if details:
            raise BadRequest(details=details)
        recipient_ids = list(body.get("recipientIds") or [])
        self._check_exists(campaign_ids, recipient_ids, workspace, workspaces)
        return self.queue(
            scope=scope,
            workspace=workspace,
            principal=principal,
            report_type=report_type,
            campaign_ids=campaign_ids,
            period=period,
            sections=Sections.from_json(body.get("sections")),
            recipient_ids=tuple(recipient_ids),
            start_in=start_in,
        )

    def queue(
        self,
        *,
        scope: Scope,
        workspace: Workspace | None,
        principal: Principal,
        report_type: str,
        campaign_ids: list[str],
        period: Period,
        sections: Sections,
        recipient_ids: tuple[str, ...],
        created: datetime | None = None,
        start_in: str = QUEUED,
    ) -> list[Report]:
        """Store checked reports (one per campaign for campaign reports) and plan their lifecycle."""
        titles = self._titles(report_type, campaign_ids, workspace, principal)
        # No lock: ids and seqs come from atomic counters, and a store takes records in any order of seq.
        current = self.clock.now()
        now = created or current
        reports = [
            Report(
                id=report_id,
                seq=0,  # the store sequences them
                scope=scope,
                workspace_id=workspace.id if workspace else None,
                user_id=principal.user.id,
                title=sys.intern(title),
                report_type=sys.intern(report_type),
                campaign_ids=campaign_ids_of_one,
                period=period,
                sections=sections,
                recipient_ids=recipient_ids,
                timeline=self.lifecycle.plan(report_id, now, start_in),
            )
            for report_id, (campaign_ids_of_one, title) in zip(self.ids.new_many(len(titles)), titles, strict=True)
        ]
        return self.store.add_new(reports, lambda r: r.status(current) in FINISHED, self.announcements)

    def restore(self, reports: list[Report], announcements: list[tuple[str, datetime]]) -> None:
        """Replace every report and what waits to be announced with these (a state file's); new reports
        continue after the highest seq."""
        with self._guard.lock("reports"):
            self.store.clear()
            self.announcements.clear()
            now = self.clock.now()
            for report in sorted(reports, key=lambda r: r.seq):
                self.store.add(report, evictable=lambda r: r.status(now) in FINISHED)
            for report_id, finishes in announcements:
                self.announcements.push(finishes, (report_id, finishes))

    def all(self) -> list[Report]:
        """Every stored report, oldest first (for a state file)."""
        return sorted(self.store.all(), key=lambda r: r.seq)

    def finished_since_last_call(self) -> list[Report]:
        """Reports that reached ready or failed since the last call, in order; deleted ones are skipped."""
        done = []
        for item in self.announcements.pop_due(self.clock.now()):  # each handed to one caller, in any process
            report_id, finishes = item
            report = self.store.get(report_id)
            if report is not None and report.timeline.finishes == finishes:  # not since forced elsewhere
                done.append(report)
            else:
                self.announcements.done(item)
        return done

    def announced(self, report: Report) -> None:
        """The effects of `report`'s finish (from `finished_since_last_call`) are out: its claim is settled."""
        self.announcements.done((report.id, report.timeline.finishes))

    def force(self, report_id: str, status: str, error: Mapping[str, str] | None = None) -> Report:
        """Move a report that has not finished to `status` now, with the effects of a natural transition
        (the ticker announces it: webhooks, e-mails). Control plane only: any report of the session."""
        with self._guard.lock("reports"):
            report = self.store.get(report_id)
            if report is None:
                raise NotFound(details=[Detail("id", f"Report {report_id} was not found in this session")])
            now = self.clock.now()
            current = report.status(now)
            if current in FINISHED:
                message = f"The report is {current} already; a finished report does not change"
                raise Conflict(message, details=[Detail("status", message)])
            if error is not None and status != FAILED:
                raise BadRequest.field("error", "Only a failed report has an error")
            forced = dataclasses.replace(report, timeline=report.timeline.forced(status, now, error))
            self.store.replace(forced)
            self.announcements.push(forced.timeline.finishes, (forced.id, forced.timeline.finishes))
        return forced

    def _check_exists(
        self,
        campaign_ids: list[str],
        recipient_ids: list[str],
        workspace: Workspace | None,
        workspaces: tuple[Workspace, ...],
    ) -> None:
        details = unknown_campaigns(workspace.unknown_campaigns(campaign_ids)) if workspace else []
        known = self.recipient_ids(workspaces) if recipient_ids else set()  # a read of every recipient: only if named
        details += [
            Detail(f"recipientIds[{i}]", f"Recipient {rid} was not found")
            for i, rid in enumerate(recipient_ids)
            if rid not in known
        ]
        if details:
            raise NotFound(details=details)

    def _titles(
        self, report_type: str, campaign_ids: list[str], workspace: Workspace | None, principal: Principal
    ) -> list[tuple[tuple[str, ...], str]]:
        if report_type == "campaign" and workspace is not None:
            return [((cid,), f"{workspace.campaigns_by_id[cid].name} Report") for cid in campaign_ids]
        if workspace is not None:
            return [((), f"{workspace.name} Workspace Report")]
        return [((), f"{principal.user.name} Organizational Report")]
