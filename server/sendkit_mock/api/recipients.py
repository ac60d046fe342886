"""/v1/reports/recipients handlers."""

from __future__ import annotations

from typing import Any

from ..domain.recipients import RecipientService
from .envelopes import cursor_page

Json = dict[str, Any]


class RecipientsApi:
    def __init__(self, service: RecipientService) -> None:
        self.service = service

    def create(self, body: Json, token_info: Json) -> tuple[Json, int]:
        recipient = self.service.create(token_info["principal"], token_info["workspace_header"], body)
        return {"success": True, "data": recipient.to_json()}, 201

    def list(self, token_info: Json, limit: int = 25, cursor: str | None = None, search: str | None = None) -> Json:
        page = self.service.page(token_info["principal"], token_info["workspace_header"],
                                 cursor=cursor, limit=limit, search=search)
        return cursor_page(page, limit, lambda r: r.to_json(), lambda r: r.id)

    def get(self, id_: str, token_info: Json) -> Json:
        recipient = self.service.get(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": recipient.to_json()}

    def update(self, id_: str, body: Json, token_info: Json) -> Json:
        recipient = self.service.update(token_info["principal"], token_info["workspace_header"], id_, body)
        return {"success": True, "data": recipient.to_json()}

    def delete(self, id_: str, token_info: Json) -> Json:
        recipient = self.service.delete(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": {"_id": recipient.id, "deleted": True}}
