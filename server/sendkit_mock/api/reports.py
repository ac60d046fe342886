"""/v1/reports handlers. No framework imports: connexion finds these through the resolver."""

from __future__ import annotations

from typing import Any

from ..domain.service import ReportService, queued_message
from .envelopes import cursor_page

Json = dict[str, Any]


class ReportsApi:
    def __init__(self, service: ReportService) -> None:
        self.service = service

    def create(self, body: Json, token_info: Json) -> tuple[Json, int]:
        reports = self.service.create(token_info["principal"], token_info["workspace_header"], body)
        now_items = [self.service.render_summary(r) for r in reports]
        return {
            "success": True,
            "data": {"reports": now_items, "message": queued_message(len(reports))},
        }, 201

    def get(self, id_: str, token_info: Json) -> Json:
        report = self.service.get(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": self.service.render(report)}

    def list(
        self,
        token_info: Json,
        limit: int = 25,
        cursor: str | None = None,
        status: str | None = None,
        report_type: str | None = None,
    ) -> Json:
        page = self.service.page(
            token_info["principal"],
            token_info["workspace_header"],
            cursor=cursor,
            limit=limit,
            status=status,
            report_type=report_type,
        )
        return cursor_page(page, limit, lambda r: self.service.render(r, with_data=False), lambda r: r.id)

    def delete(self, id_: str, token_info: Json) -> Json:
        report = self.service.delete(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": {"_id": report.id, "id": report.id, "deleted": True}}
