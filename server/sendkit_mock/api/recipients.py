"""/v1/reports/recipients handlers: each call acts on the recipients of its session."""

from __future__ import annotations

from typing import Any

from ..domain.recipients import RecipientService
from ..session.sessions import Session
from .envelopes import cursor_page

Json = dict[str, Any]


class RecipientsApi:
    @staticmethod
    def _service(mock_session: Session) -> RecipientService:
        return mock_session.recipients

    def create(self, body: Json, token_info: Json, *, mock_session: Session) -> tuple[Json, int]:
        recipient = self._service(mock_session).create(token_info["principal"], token_info["workspace_header"], body)
        return {"success": True, "data": recipient.to_json()}, 201

    def list(self, token_info: Json, limit: int = 25, cursor: str | None = None, search: str | None = None,
             *, mock_session: Session) -> Json:
        page = self._service(mock_session).page(token_info["principal"], token_info["workspace_header"],
                                                cursor=cursor, limit=limit, search=search)
        return cursor_page(page, limit, lambda r: r.to_json(), lambda r: r.id)

    def get(self, id_: str, token_info: Json, *, mock_session: Session) -> Json:
        recipient = self._service(mock_session).get(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": recipient.to_json()}

    def update(self, id_: str, body: Json, token_info: Json, *, mock_session: Session) -> Json:
        service = self._service(mock_session)
        recipient = service.update(token_info["principal"], token_info["workspace_header"], id_, body)
        return {"success": True, "data": recipient.to_json()}

    def delete(self, id_: str, token_info: Json, *, mock_session: Session) -> Json:
        recipient = self._service(mock_session).delete(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": {"_id": recipient.id, "deleted": True}}
