"""Records every API request of a session in its journal, as the client sent it and as it was answered.

Outermost but for CORS, so it sees the final status of every answer, errors included. Only `/v1/...` is
journaled: the control plane and the docs are not what a client under test sent. A 400's `details` are the
entry's `violations`; a 413 or 415 is one violation naming `body`. The answer's body is kept as text (cut at
ANSWER_LIMIT) and read as JSON when shown, and the workspace the key acted on as the security layer found it.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..clock import iso
from ..errors import ApiError, StoreUnavailable
from ..session.journal import (
    ANSWER_BYTES,
    ANSWER_TEXT,
    BODY_TEXT,
    MAX_HEADERS,
    MAX_QUERY,
    PATH_LIMIT,
    answer_text,
    body_text,
    kept_pairs,
)
from ..simulation.prefer import QUERY_NAMES
from .incoming import Incoming, incoming
from .session_names import QUERY

log = logging.getLogger("sendkit_mock")
_ID = re.compile(r"^[0-9a-f]{24}$")


class JournalRecorder:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        found = incoming(scope)
        context = scope.setdefault("extensions", {}).setdefault("connexion_context", {})  # shared with inner layers
        answered, status, recorded = bytearray(), [0], [False]

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body":
                if len(answered) <= ANSWER_BYTES:
                    answered.extend(message.get("body", b"")[: ANSWER_BYTES + 1 - len(answered)])
                if not message.get("more_body", False):
                    # journaled before the answer's last byte leaves: a client that has its answer finds it
                    # in the journal (the app's own tail, a WSGI thread, may run on after this send)
                    recorded[0] = True
                    try:
                        self._record(scope, found, context, status[0], bytes(answered), started)
                    except Exception:  # the journal failed: the answer still goes out, and the failure is told
                        log.exception("%s %s not journaled", scope["method"], scope["path"])
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, watch)
        finally:
            if not recorded[0]:  # no whole answer went out (the client left, or the app failed before it)
                self._record(scope, found, context, status[0], bytes(answered), started)

    @staticmethod
    def _record(scope: Scope, found: Incoming, context: dict[str, Any], status: int, answered: bytes,
                started: float) -> None:
        """Into the session the request acted on once its key was accepted; a request refused before (no key, a
        bad key, a path no document has) is kept only by a session that is there already, which it does not
        mark used."""
        try:
            session = found.session if context.get("token_info") is not None else found.existing()
        except ApiError:  # a bad session name (answered as a 400), or the shared store down: journaled nowhere
            return
        if session is None or not session.journal.enabled:
            return
        entry = _entry(scope, found.body, status, answered, started)
        exchange = context.get("mock_exchange")
        entry["injected"] = exchange.injected if exchange is not None else None
        if entry["injected"]:
            entry["violations"] = []  # an error the mock was told to answer: the client's request broke nothing
        entry["workspaceId"] = _workspace(context.get("token_info"))
        try:
            entry["at"] = iso(session.clock.now())
            session.journal.record(entry)
        except StoreUnavailable as exc:  # the answer is out (a 503 if the store was down for it too)
            log.warning("%s %s not journaled: %s", scope["method"], scope["path"], exc.message)

def _entry(scope: Scope, body: bytes, status: int, answer: bytes, started: float) -> dict[str, Any]:
    """What the journal keeps of an exchange: bounded whatever was sent (journal.py)."""
    headers = kept_pairs(((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]), MAX_HEADERS)
    hidden = {QUERY, *QUERY_NAMES}  # the session's name and the preferences, not the client's query
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True,
                      max_num_fields=None)
    query = kept_pairs(((k, v) for k, v in pairs if k not in hidden), MAX_QUERY)
    path = scope["path"]
    return {
        "method": scope["method"], "path": path if len(path) <= PATH_LIMIT else path[:PATH_LIMIT] + "…",
        "query": query, "headers": headers, BODY_TEXT: body_text(body), "status": status,
        "durationMs": round((time.perf_counter() - started) * 1000, 3),
        "violations": _violations(status, answer), ANSWER_TEXT: answer_text(answer),
    }


def _workspace(token_info: Any) -> str | None:
    """The workspace a request's accepted key acted on: a workspace key's own, or what a platform key named."""
    if not isinstance(token_info, dict) or "principal" not in token_info:
        return None
    workspace = token_info["principal"].workspace
    named = token_info.get("workspace_header")
    return workspace.id if workspace is not None else named if isinstance(named, str) and _ID.match(named) else None


def _violations(status: int, answer: bytes) -> list[dict[str, str]]:
    if status not in (400, 413, 415):
        return []
    try:
        error = json.loads(answer)
    except ValueError:
        return [{"field": "body", "message": f"answered {status}"}]
    details = error.get("details") or [{"field": "body", "message": error.get("message", "")}]
    return [{"field": d["field"], "message": d["message"]} for d in details]
