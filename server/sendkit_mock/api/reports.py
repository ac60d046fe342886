"""/v1/reports handlers. No framework imports: connexion finds these through the resolver."""

from __future__ import annotations

from typing import Any

from ..domain.lifecycle import QUEUED
from ..domain.service import ReportService, queued_message
from ..session.sessions import Session
from ..simulation.prefer import Exchange
from .envelopes import cursor_page

Json = dict[str, Any]


class ReportsApi:
    """Each call acts on its session's reports (`mock_session`: the session the web layer looked up)."""

    @staticmethod
    def _service(mock_session: Session) -> ReportService:
        return mock_session.reports

    def create(self, body: Json, token_info: Json, mock_session: Session,
               mock_exchange: Exchange | None = None) -> tuple[Json, int]:
        session = mock_session
        service = session.reports
        start_in = (mock_exchange.prefer.status if mock_exchange else None) or QUEUED
        reports = service.create(token_info["principal"], token_info["workspace_header"], body, start_in)
        if start_in != QUEUED:
            assert mock_exchange is not None
            mock_exchange.apply("status", start_in)
            session.tick()  # a report that starts finished is announced (webhooks, e-mails) before the answer
        now_items = [service.render_summary(r) for r in reports]
        return {
            "success": True,
            "data": {"reports": now_items, "message": queued_message(len(reports))},
        }, 201

    def get(self, id_: str, token_info: Json, *, mock_session: Session) -> Json:
        service = self._service(mock_session)
        report = service.get(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": service.render(report)}

    def list(
        self,
        token_info: Json,
        limit: int = 25,
        cursor: str | None = None,
        status: str | None = None,
        report_type: str | None = None,
        *,
        mock_session: Session,
    ) -> Json:
        service = self._service(mock_session)
        page = service.page(
            token_info["principal"],
            token_info["workspace_header"],
            cursor=cursor,
            limit=limit,
            status=status,
            report_type=report_type,
        )
        return cursor_page(page, limit, lambda r: service.render(r, with_data=False), lambda r: r.id)

    def delete(self, id_: str, token_info: Json, *, mock_session: Session) -> Json:
        report = self._service(mock_session).delete(token_info["principal"], token_info["workspace_header"], id_)
        return {"success": True, "data": {"_id": report.id, "id": report.id, "deleted": True}}
