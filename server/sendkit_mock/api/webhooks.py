"""/v1/webhooks handlers: each call acts on the webhooks of its session."""

from __future__ import annotations

from typing import Any

from ..domain.webhooks import WebhookService
from ..session.sessions import Session

Json = dict[str, Any]


class WebhooksApi:
    @staticmethod
    def _service(mock_session: Session) -> WebhookService:
        return mock_session.webhooks

    def create(self, body: Json, token_info: Json, *, mock_session: Session) -> tuple[Json, int]:
        hook = self._service(mock_session).create(token_info["principal"], token_info["workspace_header"], body)
        return {"success": True, "data": hook.to_json()}, 201

    def list(self, token_info: Json, page: int = 1, limit: int = 20, cursor: str | None = None,
             *, mock_session: Session) -> Json:
        found = self._service(mock_session).page(token_info["principal"], token_info["workspace_header"], page=page,
                                                 limit=limit, cursor=cursor)
        return {
            "success": True,
            "data": [h.to_json() for h in found.items],
            "pagination": {"total": found.total, "page": found.page, "limit": found.limit, "pages": found.pages},
        }

    def get(self, id_: str, token_info: Json, *, mock_session: Session) -> Json:
        hook = self._service(mock_session).get(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": hook.to_json()}

    def update(self, id_: str, body: Json, token_info: Json, *, mock_session: Session) -> Json:
        hook = self._service(mock_session).update(token_info["principal"], token_info["workspace_header"], id_, body)
        return {"success": True, "data": hook.to_json()}

    def delete(self, id_: str, token_info: Json, *, mock_session: Session) -> Json:
        hook = self._service(mock_session).delete(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": {"_id": hook.id, "deleted": True}}

    def test(self, id_: str, token_info: Json, *, mock_session: Session) -> Json:
        session = mock_session
        hook = session.webhooks.get(token_info["principal"], token_info["workspace_header"], id_)
        outcome = session.dispatcher.send_test(hook)
        return {"success": True, "data": {"statusCode": outcome.status, "delivered": outcome.delivered,
                                          "error": outcome.error}}
