"""The report entity and its JSON form."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..clock import iso
from .auth import Scope
from .lifecycle import FAILED, FAILURE, READY, Timeline
from .periods import Period

SECTION_NAMES = ("executiveSummary", "campaignPerformance", "mailboxHealth")
REPORT_TYPES = ("campaign", "workspace", "organizational")


@dataclass(frozen=True, slots=True)
class Sections:
    executive_summary: bool = True
    campaign_performance: bool = True
    mailbox_health: bool = True

    @classmethod
    def from_json(cls, raw: dict[str, bool] | None) -> Sections:
        raw = raw or {}
        return _sections(*(bool(raw.get(name, True)) for name in SECTION_NAMES))

    def to_json(self) -> dict[str, bool]:
        flags = (self.executive_summary, self.campaign_performance, self.mailbox_health)
        return dict(zip(SECTION_NAMES, flags, strict=True))


@functools.cache
def _sections(*flags: bool) -> Sections:
    """One shared value per combination (there are eight): a stored report holds a reference, not a copy."""
    return Sections(*flags)


@dataclass(frozen=True, slots=True)
class Report:
    id: str
    seq: int
    scope: Scope
    workspace_id: str | None  # None for organizational reports, which span workspaces
    user_id: str
    title: str
    report_type: str
    campaign_ids: tuple[str, ...]
    period: Period
    sections: Sections
    recipient_ids: tuple[str, ...]
    timeline: Timeline

    def status(self, now: datetime) -> str:
        return self.timeline.status(now)

    def sequenced(self, seq: int) -> Report:
        """This report at another place in the creation order (what a store gives a new one): the constructor
        called directly, a fifth of what dataclasses.replace costs."""
        return Report(self.id, seq, self.scope, self.workspace_id, self.user_id, self.title, self.report_type,
                      self.campaign_ids, self.period, self.sections, self.recipient_ids, self.timeline)

    def summary_json(self, now: datetime) -> dict[str, Any]:
        """The item form that POST /v1/reports answers with [C]."""
        return {"id": self.id, "title": self.title, "reportType": self.report_type, "status": self.status(now)}

    def to_json(self, now: datetime, data: dict[str, Any] | None = None, *, with_data: bool = True) -> dict[str, Any]:
        status = self.status(now)
        started, completed = self.timeline.started_at(now), self.timeline.completed_at(now)
        body: dict[str, Any] = {
            "_id": self.id,
            "id": self.id,
            "workspaceId": self.workspace_id,
            "userId": self.user_id,
            "title": self.title,
            "reportType": self.report_type,
            "status": status,
            "campaignIds": list(self.campaign_ids),
            "periodStart": self.period.start_text,
            "periodEnd": self.period.end_text,
            "sections": self.sections.to_json(),
            "recipientIds": list(self.recipient_ids),
            "createdAt": iso(self.timeline.created),
            "updatedAt": iso(self.timeline.updated_at(now)),
            "startedAt": iso(started) if started else None,
            "completedAt": iso(completed) if completed else None,
            "error": dict(self.timeline.error or FAILURE) if status == FAILED else None,
        }
        if with_data:
            body["data"] = data if status == READY else None
        return body
