"""Report e-mails to recipients. Nothing leaves the machine: each one is an outbox entry a test can read."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime
from typing import Any

from ..clock import iso
from ..domain.recipients import Recipient
from ..domain.reports import Report


class Outbox:
    def __init__(self, size: int = 10_000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()

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
        with self._lock:
            self._entries.append(entry)
        return entry

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def restore(self, entries: list[dict[str, Any]]) -> None:
        with self._lock:
            self._entries.clear()
            self._entries.extend(entries)

    def entries(self, workspace_ids: set[str], recipient_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._entries if e["workspaceId"] in workspace_ids
                    and (recipient_id is None or e["recipientId"] == recipient_id)]
