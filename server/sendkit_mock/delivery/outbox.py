"""Report e-mails to recipients. Nothing leaves the machine: each one is an outbox entry a test can read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..clock import iso
from ..domain.recipients import Recipient
from ..domain.reports import Report
from ..domain.stores import Log


class Outbox:
    def __init__(self, log: Log[dict[str, Any]]) -> None:
        self.log = log

    def send(self, entry_id: str, recipient: Recipient, report: Report, when: datetime) -> dict[str, Any]:
        entry = {
            "_id": entry_id,
            "workspaceId": recipient.workspace_id,
            "recipientId": recipient.id,
            "name": recipient.name,
            "email": recipient.email,
            "subject": f"Your SendKit report is ready: {report.title}",
            "reportId": report.id,
            "reportTitle": report.title,
            "sentAt": iso(when),
        }
        self.log.append(entry)
        return entry

    def all(self) -> list[dict[str, Any]]:
        return self.log.all()

    def entries(self, workspace_ids: set[str], recipient_id: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.log.all() if e["workspaceId"] in workspace_ids
                and (recipient_id is None or e["recipientId"] == recipient_id)]
