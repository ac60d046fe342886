"""The executiveSummary section: totals and rates like SendKit's analytics overview [C], the previous period
of the same length, the change between them, and prose written from those numbers.

`change.totals` is the relative change of each count in percent (one decimal; null when the previous
count is 0); `change.rates` is the difference of the displayed rates in percentage points.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from faker import Faker

from ..periods import DATE
from ..reports import Report
from ..world import Workspace
from . import wording
from .calendar import ReportWindow, Span
from .campaigns import best_step
from .coverage import Coverage
from .mailboxes import MailboxHealth
from .measure import Measurement
from .stats import Stats, count_change

MAX_HIGHLIGHTS = 6


def executive_summary(
    report: Report,
    coverage: Coverage,
    window: ReportWindow,
    measured: tuple[Measurement, Measurement],
    mailboxes: list[MailboxHealth],
    fake: Faker,
) -> dict[str, Any]:
    current, previous = measured
    campaigns = [campaign for _, campaign in coverage.campaigns]
    totals, before = current.campaigns(campaigns), previous.campaigns(campaigns)
    body: dict[str, Any] = {
        "totalCampaigns": len(campaigns),
        "activeCampaigns": sum(c.status == "active" for c in campaigns),
        "totals": totals.to_json(),
        "rates": totals.rates().to_json(),
        "previousPeriod": {
            **_bounds(window.previous, dates=_dated(report)),
            "totals": before.to_json(),
            "rates": before.rates().to_json(),
        },
        "change": {
            "totals": count_change(totals, before),
            "rates": totals.rates().change_since(before.rates()),
        },
        "summary": wording.summary(fake, coverage.label, window, totals, before),
        "highlights": _highlights(coverage, current, totals, before, mailboxes, fake),
    }
    if coverage.report_type == "organizational":
        body["workspaces"] = [_workspace_entry(w, current) for w in coverage.workspaces]
    return body


def _highlights(
    coverage: Coverage,
    current: Measurement,
    totals: Stats,
    before: Stats,
    mailboxes: list[MailboxHealth],
    fake: Faker,
) -> list[str]:
    campaigns = [(c, current.campaign(c)) for _, c in coverage.campaigns]
    lines = [wording.best_campaign(fake, campaigns)]
    if len(campaigns) == 1:
        campaign, _ = campaigns[0]
        best = best_step(campaign, current.steps(campaign))
        if best is not None:
            lines.append(
                wording.best_step(fake, best["step"], best["subject"], best["replyRate"], best["replied"])
            )
    lines += [
        wording.open_rate(fake, totals, before),
        wording.positive_share(totals),
        wording.bounces(fake, totals),
    ]
    if coverage.report_type == "organizational" and totals.sent and len(coverage.workspaces) > 1:
        top = max(coverage.workspaces, key=lambda w: current.workspace(w).sent)
        lines.append(wording.top_workspace(top.name, current.workspace(top).sent, totals.sent))
    lines += [wording.mailbox_alert(m) for m in sorted(mailboxes, key=lambda m: m.score) if m.score < 80]
    return [line for line in lines if line][:MAX_HIGHLIGHTS]


def _workspace_entry(workspace: Workspace, current: Measurement) -> dict[str, Any]:
    stats = current.workspace(workspace)
    return {
        "workspace": {"id": workspace.id, "name": workspace.name},
        "totalCampaigns": len(workspace.campaigns),
        "activeCampaigns": sum(c.status == "active" for c in workspace.campaigns),
        "totals": stats.to_json(),
        "rates": stats.rates().to_json(),
    }


def _dated(report: Report) -> bool:
    return bool(DATE.match(report.period.start_text) and DATE.match(report.period.end_text))


def _bounds(span: Span, *, dates: bool) -> dict[str, str]:
    """The previous period's bounds: dates (end inclusive) when the report's were dates, else instants."""
    if dates:
        last = span.end - timedelta(days=1)
        return {"periodStart": span.start.date().isoformat(), "periodEnd": last.date().isoformat()}
    return {"periodStart": _instant(span.start), "periodEnd": _instant(span.end)}


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
