"""/__mock/* handlers: the caller's session, for tests to drive and assert on. Mock-only, never part of SendKit."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from ..clock import EndOfTime, TimeGoesForward, iso, parse_exact
from ..domain.auth import Authenticator, Principal, Scope
from ..domain.reports import Report
from ..domain.world import Workspace, World
from ..errors import BadRequest, Conflict, Detail, NotFound
from ..session import snapshot
from ..session.coverage import coverage, scope_of
from ..session.sessions import Session, Sessions
from ..simulation.behaviour import BehaviourError, Latency, RateLimit
from ..simulation.stubs import StubRules

Json = dict[str, Any]


class ControlApi:
    def __init__(self, auth: Authenticator, sessions: Sessions, world: World, server: Callable[[], Json],
                 stub_rules: StubRules) -> None:
        self.auth, self.sessions, self.world = auth, sessions, world
        self._server = server  # the server's version, seed, store and reload status
        self.stub_rules = stub_rules  # what a stub may say, from SendKit's contract

    # --- the server ---------------------------------------------------------------------------------
    def server(self) -> Json:
        workspaces = [{"id": w.id, "name": w.name} for w in self.world.workspaces]
        return {"success": True, "data": {**self._server(), "sessions": self.sessions.names(),
                                          "workspaces": workspaces}}

    def world_view(self, mock_session: Session) -> Json:
        """The fixtures' users and workspaces with their keys and campaigns, and the session's recipients and
        webhooks in each workspace (the dashboard's world panels)."""
        users = [{"id": u.id, "name": u.name, "email": u.email, "apiKey": u.api_key,
                  "workspaceIds": [w.id for w in self.world.workspaces if w.owner_id == u.id]}
                 for u in self.world.users]
        return {"success": True, "data": {"users": users, "workspaces": [
            _workspace(w, mock_session) for w in self.world.workspaces]}}

    # --- every report of the session ------------------------------------------------------------------
    def reports(self, limit: int = 25, cursor: str | None = None, status: str | None = None,
                *, mock_session: Session) -> Json:
        session = mock_session
        now = session.clock.now()
        reports = sorted(session.reports.store.all(), key=lambda r: r.seq, reverse=True)
        if status is not None:
            reports = [r for r in reports if r.status(now) == status]
        start = 0
        if cursor is not None:
            start = next((i + 1 for i, r in enumerate(reports) if r.id == cursor), -1)
            if start < 0:
                raise NotFound.unknown_cursor()
        page = reports[start:start + limit]
        items = [{"report": session.reports.render(r, with_data=False), "timeline": _timeline(r, now)} for r in page]
        pagination = {"limit": limit, "total": len(reports), "hasMore": start + limit < len(reports),
                      "nextCursor": page[-1].id if page else None}
        return {"success": True, "data": items, "pagination": pagination}

    def report(self, id_: str, *, mock_session: Session) -> Json:
        session = mock_session
        report = session.reports.store.get(id_)
        if report is None:
            raise NotFound()
        return {"success": True, "data": {"report": session.reports.render(report),
                                          "timeline": _timeline(report, session.clock.now())}}

    def deliveries(self, limit: int = 25, *, mock_session: Session) -> Json:
        session = mock_session
        waiting = sorted(session.stores.deliveries.all(), key=lambda pair: pair[0])[:limit]
        return {"success": True, "data": {
            "attempts": session.dispatcher.log.all()[::-1][:limit],
            "waiting": [{"deliveryId": job.delivery_id, "webhookId": job.webhook_id,
                         "workspaceId": job.workspace_id, "event": job.event, "attempt": job.attempt,
                         "dueAt": iso(due)} for due, job in waiting],
            "outbox": session.outbox.all()[::-1][:limit],
        }}

    # --- what the mock did, for the key's workspace ------------------------------------------------
    def outbox_entries(self, token_info: Json, recipient_id: str | None = None,
                       *, mock_session: Session) -> Json:
        workspace = self._workspace(token_info)
        entries = mock_session.outbox.entries({workspace}, recipient_id)
        return {"success": True, "data": entries[::-1]}

    def webhook_attempts(self, token_info: Json, webhook_id: str | None = None,
                         *, mock_session: Session) -> Json:
        attempts = mock_session.dispatcher.attempts(self._workspace(token_info), webhook_id)
        return {"success": True, "data": attempts[::-1]}

    # --- the session itself -------------------------------------------------------------------------
    def reset(self, mock_session: Session) -> Json:
        session = self.sessions.reset(mock_session.name)
        return {"success": True, "data": {"session": session.name, "reset": True}}

    def clock(self, mock_session: Session) -> Json:
        return _clock(mock_session)

    def move_clock(self, body: Json, *, mock_session: Session) -> Json:
        """Advance, set or switch the clock, then run everything that fell due before answering."""
        session = mock_session
        (field, value), = body.items()  # the schema allows exactly one
        try:
            if field == "advance":
                session.clock.advance(value)
            elif field == "set":
                session.clock.set(parse_exact(value.upper()))
            else:
                session.clock.switch(value)
        except (TimeGoesForward, EndOfTime) as exc:  # the clock's state, not the request, is in the way
            raise Conflict(str(exc), details=[Detail(field, str(exc))]) from None
        except (ValueError, OverflowError) as exc:  # what the schema's date-time lets through and Python cannot read
            raise BadRequest.field(field, f"Not an instant this clock can take: {exc}") from None
        session.tick()
        return _clock(session)

    def force_status(self, id_: str, body: Json, *, mock_session: Session) -> Json:
        session = mock_session
        report = session.reports.force(id_, body["status"], body.get("error"))
        session.tick()  # the transition's webhook and e-mails go out before the answer
        return {"success": True, "data": session.reports.render(report)}

    # --- what the session simulates -------------------------------------------------------------------
    def settings(self, mock_session: Session) -> Json:
        return {"success": True, "data": _settings(mock_session)}

    def change_settings(self, body: Json, *, mock_session: Session) -> Json:
        """Change what this session simulates; fields left out keep their values, null turns one off. The
        changes sit in the session's stores: every worker of a shared store takes them, a reload keeps them."""
        session = mock_session
        for field, parse in (("latency", Latency.parse), ("rateLimit", RateLimit.parse)):
            try:
                if body.get(field) is not None:
                    parse(body[field])
            except BehaviourError as exc:
                raise BadRequest.field(field, str(exc)) from None
        changed = {**session.stores.settings.read(), **body}
        session.stores.settings.write(changed)
        session.sync()
        return {"success": True, "data": _settings(session)}

    # --- the whole state ------------------------------------------------------------------------------
    def state(self, journal: bool = False, *, mock_session: Session) -> Json:
        return {"success": True, "data": snapshot.export(mock_session, journal=journal)}

    def replace_state(self, body: Json, journal: bool = False, *, mock_session: Session) -> Json:
        """Replace the session's state with a document, or with a GET's whole answer (`{success, data}`);
        a refused one leaves the old state as it was."""
        document = body["data"] if body.get("success") is True and "data" in body else body
        state = snapshot.read(document)  # every entry checked before anything of the session goes
        snapshot.check(mock_session, state)
        session = self.sessions.build(mock_session.name)
        snapshot.apply(session, state)
        self.sessions.put(session)
        return {"success": True, "data": snapshot.export(session, journal=journal)}

    # --- the request journal ------------------------------------------------------------------------
    def requests(self, limit: int = 25, cursor: str | None = None, method: str | None = None,
                 path: str | None = None, status: int | None = None, *, mock_session: Session) -> Json:
        journal = mock_session.journal
        items, total, more = journal.page(cursor=cursor, limit=limit, method=method, path=path, status=status)
        pagination = {"limit": limit, "total": total, "hasMore": more,
                      "nextCursor": items[-1]["_id"] if items else None}
        return {"success": True, "data": items, "pagination": pagination}

    # --- coverage: what of the contract the client met -------------------------------------------------------
    def coverage(self, all_: bool = False, operations: str | None = None, *, mock_session: Session) -> Json:
        """`all_`: every session of the server together (the query parameter `all`); `operations`: the
        operation ids or tags, comma-separated, the client is judged on (every operation when absent)."""
        scope = None
        if operations is not None:
            names = [name.strip() for name in operations.split(",") if name.strip()]
            scope, unknown = scope_of(names, self.stub_rules.index)
            if unknown or not names:
                named = ", ".join(unknown) if unknown else repr(operations)
                raise BadRequest.field("operations", f"Not an operation id or a tag of the contract: {named}")
        sessions = self.sessions.all() if all_ else [mock_session]
        entries = [e for s in sessions for e in s.journal.log.all()]
        attempts = [a for s in sessions for a in s.stores.attempts.all()]
        found = coverage(entries, attempts, self.stub_rules.index, self.stub_rules.answers.documented, scope)
        return {"success": True, "data": {"sessions": [s.name for s in sessions], **found}}

    # --- stubs: an operation's next answers ---------------------------------------------------------------
    def stubs(self, mock_session: Session) -> Json:
        return {"success": True, "data": mock_session.stubs.all()}

    def add_stub(self, body: Json, *, mock_session: Session) -> tuple[Json, int]:
        return {"success": True, "data": mock_session.stubs.put(self.stub_rules.read(body))}, 201

    def remove_stub(self, id_: str, *, mock_session: Session) -> Json:
        return {"success": True, "data": mock_session.stubs.remove(id_)}

    def clear_stubs(self, mock_session: Session) -> Json:
        return {"success": True, "data": {"removed": mock_session.stubs.clear()}}

    def clear_requests(self, mock_session: Session) -> Json:
        mock_session.journal.clear()
        return {"success": True, "data": {"cleared": True}}

    def count_requests(self, body: Json, *, mock_session: Session) -> Json:
        count, near = mock_session.journal.count(body)
        return {"success": True, "data": {"count": count, "nearMisses": near}}

    def _workspace(self, token_info: Json) -> str:
        principal: Principal = token_info["principal"]
        return self.auth.workspace(principal, token_info["workspace_header"]).id


_seq = attrgetter("seq")  # records in the order they were made


def _workspace(workspace: Workspace, session: Session) -> Json:
    scope = Scope.of("workspace", workspace.id)
    return {"id": workspace.id, "name": workspace.name, "ownerId": workspace.owner_id, "apiKey": workspace.api_key,
            "campaigns": [{"id": c.id, "name": c.name, "status": c.status} for c in workspace.campaigns],
            "recipients": [r.to_json() for r in sorted(session.recipients.store.in_scope(scope), key=_seq)],
            "webhooks": [h.to_json() for h in sorted(session.webhooks.store.in_scope(scope), key=_seq)]}


def _settings(session: Session) -> Json:
    lifecycle = session.reports.lifecycle
    return {"session": session.name, **session.simulator.behaviour.to_json(),
            "queuedSeconds": lifecycle.queued_seconds, "processingSeconds": lifecycle.processing_seconds,
            "failureRate": lifecycle.failure_rate}


def _timeline(report: Report, now: Any) -> Json:
    timeline = report.timeline
    return {"startsAt": iso(timeline.starts), "finishesAt": None if timeline.held else iso(timeline.finishes),
            "progress": timeline.progress(now)}


def _clock(session: Session) -> Json:
    return {"success": True, "data": {"session": session.name, "now": iso(session.clock.now()),
                                      "mode": session.clock.mode}}

