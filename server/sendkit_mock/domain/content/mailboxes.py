"""The mailboxHealth section: each covered mailbox's setup, its sending in the period, and a health score.

The score starts at 100 and loses points for what SendKit's health check reports (DNS records, status)
and for the bounce rate shown beside it, so a frontend can rebuild the warning state from the entry:

- each of SPF, DKIM, DMARC: `warning` -8, `missing` -15, `fail` -25
- status: `warming_up` -5, `pending` -10, `inactive` -20, `error` -35, `suspended` -40, `failed` -45
- bounce rate above 2.0 %: -5 per point above it, at most -30

clamped to 0-100; `healthy` from 80, `warning` from 50, `critical` below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..world import Mailbox, Workspace
from .activity import Activity
from .coverage import Coverage
from .measure import Measurement
from .stats import Stats

DNS_RECORDS = {"spf": "SPF", "dkim": "DKIM", "dmarc": "DMARC"}
DNS_PENALTY = {"pass": 0, "warning": 8, "missing": 15, "fail": 25}
DNS_WORDS = {"warning": "has warnings", "missing": "is missing", "fail": "fails"}
STATUS_PENALTY = {"warming_up": 5, "pending": 10, "inactive": 20, "error": 35, "suspended": 40, "failed": 45}
BOUNCE_ALLOWANCE_TENTHS = 20  # 2.0 %


@dataclass(frozen=True, slots=True)
class MailboxHealth:
    workspace: Workspace
    mailbox: Mailbox
    performance: Stats
    sent_today: int
    score: int
    issues: tuple[str, ...]

    @property
    def status(self) -> str:
        return "healthy" if self.score >= 80 else "warning" if self.score >= 50 else "critical"

    def to_json(self) -> dict[str, Any]:
        m, rates = self.mailbox, self.performance.rates()
        return {
            "_id": m.id,
            "email": m.email,
            "displayName": m.display_name,
            "provider": m.provider,
            "status": m.status,
            "workspace": {"id": self.workspace.id, "name": self.workspace.name},
            "warmup": {"enabled": m.warmup_enabled, "status": m.warmup_status},
            "dailySendLimit": m.daily_send_limit,
            "sentToday": self.sent_today,
            "performance": self.performance.to_json(),
            "rates": rates.to_json(),
            "bounceRate": rates.bounce,
            "dns": {record: {"status": m.dns[record]} for record in DNS_RECORDS},
            "healthScore": self.score,
            "healthStatus": self.status,
            "issues": list(self.issues),
        }


def mailbox_health(
    coverage: Coverage, measured: Measurement, activity: Activity, today: range
) -> list[MailboxHealth]:
    """`today` holds the creation day, or nothing if the report was created as that day began."""
    entries = []
    for workspace, mailbox in coverage.mailboxes:
        performance = measured.mailbox(mailbox.id)
        score, issues = health(mailbox, performance)
        sent_today = sum(
            stream.sent_on(day)
            for day in today
            for campaign in workspace.campaigns
            if mailbox.id in campaign.mailbox_ids
            for stream in activity.streams(campaign)
            if stream.mailbox_id == mailbox.id
        )
        entries.append(MailboxHealth(workspace, mailbox, performance, sent_today, score, tuple(issues)))
    return entries


def health(mailbox: Mailbox, performance: Stats) -> tuple[int, list[str]]:
    penalty, issues = 0, []
    for record, name in DNS_RECORDS.items():
        state = mailbox.dns[record]
        penalty += DNS_PENALTY.get(state, 0)
        if state in DNS_WORDS:
            issues.append(f"{name} record {DNS_WORDS[state]}")
    if mailbox.status in STATUS_PENALTY:
        penalty += STATUS_PENALTY[mailbox.status]
        issues.append(f"Mailbox status is {mailbox.status}")
    bounce = performance.rates().bounce
    over = _tenths(bounce) - BOUNCE_ALLOWANCE_TENTHS
    if over > 0:
        penalty += min(30, over // 2)
        issues.append(f"Bounce rate {bounce}% is above 2.0%")
    return max(0, 100 - penalty), issues


def _tenths(rate: str) -> int:
    whole, _, tenth = rate.partition(".")
    return int(whole) * 10 + int(tenth)
