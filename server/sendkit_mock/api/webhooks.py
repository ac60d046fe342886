"""/v1/webhooks handlers."""

from __future__ import annotations

from typing import Any

from ..delivery.webhooks import WebhookDispatcher
from ..domain.webhooks import WebhookService

Json = dict[str, Any]


class WebhooksApi:
    def __init__(self, service: WebhookService, dispatcher: WebhookDispatcher) -> None:
        self.service, self.dispatcher = service, dispatcher

    def create(self, body: Json, token_info: Json) -> tuple[Json, int]:
        hook = self.service.create(token_info["principal"], token_info["workspace_header"], body)
        return {"success": True, "data": hook.to_json()}, 201

    def list(self, token_info: Json, page: int = 1, limit: int = 20, cursor: str | None = None) -> Json:
        found = self.service.page(token_info["principal"], token_info["workspace_header"], page=page, limit=limit,
                                  cursor=cursor)
        return {
            "success": True,
            "data": [h.to_json() for h in found.items],
            "pagination": {"total": found.total, "page": found.page, "limit": found.limit, "pages": found.pages},
        }

    def get(self, id_: str, token_info: Json) -> Json:
        hook = self.service.get(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": hook.to_json()}

    def update(self, id_: str, body: Json, token_info: Json) -> Json:
        hook = self.service.update(token_info["principal"], token_info["workspace_header"], id_, body)
        return {"success": True, "data": hook.to_json()}

    def delete(self, id_: str, token_info: Json) -> Json:
        hook = self.service.delete(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": {"_id": hook.id, "deleted": True}}

    def test(self, id_: str, token_info: Json) -> Json:
        hook = self.service.get(token_info["principal"], token_info["workspace_header"], id_)
        outcome = self.dispatcher.send_test(hook)
        return {"success": True, "data": {"statusCode": outcome.status, "delivered": outcome.delivered,
                                          "error": outcome.error}}
