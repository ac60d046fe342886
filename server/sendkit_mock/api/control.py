"""/__mock/* handlers: what the mock did, for tests to assert on. Mock-only, never part of SendKit."""

from __future__ import annotations

from typing import Any

from ..delivery.outbox import Outbox
from ..delivery.webhooks import WebhookDispatcher
from ..domain.auth import Authenticator, Principal

Json = dict[str, Any]


class ControlApi:
    def __init__(self, auth: Authenticator, outbox: Outbox, dispatcher: WebhookDispatcher) -> None:
        self.auth, self.outbox, self.dispatcher = auth, outbox, dispatcher

    def outbox_entries(self, token_info: Json, recipient_id: str | None = None) -> Json:
        workspace = self._workspace(token_info)
        entries = self.outbox.entries({workspace}, recipient_id)
        return {"success": True, "data": entries[::-1]}

    def webhook_attempts(self, token_info: Json, webhook_id: str | None = None) -> Json:
        workspace = self._workspace(token_info)
        return {"success": True, "data": self.dispatcher.attempts(workspace, webhook_id)[::-1]}

    def _workspace(self, token_info: Json) -> str:
        principal: Principal = token_info["principal"]
        return self.auth.workspace(principal, token_info["workspace_header"]).id
