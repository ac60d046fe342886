"""Answers from the contract instead of the handler: `Prefer: code=…`, `example=…`, `dynamic=true`.

Every API handler is wrapped once, when the app is built. The wrapper runs after connexion authenticated
and validated the request (so `code=200` without a key is still a 401), and only then answers from
`openapi.yaml`: the documented response of that status, a named example of it, or a body generated from
its schema. Without those preferences it calls the handler with the arguments the handler takes, and hands
the request's `Exchange` to handlers that ask for it (`POST /v1/reports` honours `status=`).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..session.sessions import Session
from ..simulation.answers import Answers
from ..simulation.prefer import Exchange, Preferences
from ..simulation.stubs import body_json

CONTEXT_ONLY = frozenset({"token_info", "user", "mock_session", "mock_exchange"})


def _stubbed(stub: dict[str, Any], exchange: Exchange, answers: Answers, operation_id: str,
             kwargs: dict[str, Any]) -> tuple[Any, int, dict[str, str]] | None:
    """A stub's answer (simulation/stubs.py); None when it only slows or breaks the handler's own answer."""
    answer = stub["answer"]
    exchange.injected = f"stub:{stub['id']}"
    exchange.late_delay_ms = answer.get("delayMs", 0)
    if answer.get("fault"):
        exchange.prefer = replace(exchange.prefer, fault=answer["fault"])
    if "status" not in answer:
        return None
    status, headers = answer["status"], dict(answer["headers"])
    if status in (429, 503):
        headers.setdefault("Retry-After", "1")
    request = {k: v for k, v in kwargs.items() if k not in CONTEXT_ONLY}
    if "body" in answer and not answer.get("violation"):
        return answer["body"], status, headers
    if "body" in answer:  # validation sees the documented answer; the client gets the stub's (web/simulator.py)
        exchange.raw_answer = json.dumps(answer["body"], separators=(",", ":")).encode()
        return answers.answer(operation_id, Preferences(code=status), request).body, status, headers
    wanted = Preferences(code=status, example=answer.get("example"), dynamic=bool(answer.get("dynamic")))
    return answers.answer(operation_id, wanted, request).body, status, headers


def canned(operation_id: str, handler: Callable[..., Any], answers: Answers) -> Callable[..., Any]:
    takes = set(inspect.signature(handler).parameters)

    def call(**kwargs: Any) -> Any:
        exchange: Exchange | None = kwargs.pop("mock_exchange", None)
        session: Session | None = kwargs.get("mock_session")
        if exchange is not None and session is not None:
            stub = session.stubs.take(operation_id, exchange.path, exchange.query, lambda: body_json(exchange.body))
            if stub is not None:
                answered = _stubbed(stub, exchange, answers, operation_id, kwargs)
                if answered is not None:
                    return answered
        if exchange is not None and exchange.prefer.canned:
            request = {k: v for k, v in kwargs.items() if k not in CONTEXT_ONLY}
            answer = answers.answer(operation_id, exchange.prefer, request)
            for name, value in (("code", answer.applied.code), ("example", answer.applied.example),
                                ("dynamic", answer.applied.dynamic or None)):
                if value is not None:
                    exchange.apply(name, value)
            exchange.injected = "prefer: " + exchange.applied_header()
            headers = {"Retry-After": "1"} if answer.status in (429, 503) else {}
            return answer.body, answer.status, headers
        if "mock_exchange" in takes:
            kwargs["mock_exchange"] = exchange
        return handler(**{k: v for k, v in kwargs.items() if k in takes})

    call.__name__ = getattr(handler, "__name__", operation_id)
    # What connexion reads to decide what to pass (it asks on every request): the handler's own parameters and
    # the request's Exchange. Without `**kwargs` in it, connexion reads no body for a GET and passes no extras.
    call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY)
         for name in sorted(takes | {"mock_exchange", "mock_session"})])  # the session: its stubs
    return call
