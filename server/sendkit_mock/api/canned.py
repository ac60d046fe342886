"""Answers from the contract instead of the handler: `Prefer: code=…`, `example=…`, `dynamic=true`.

Every API handler is wrapped once, when the app is built. The wrapper runs after connexion authenticated
and validated the request (so `code=200` without a key is still a 401), and only then answers from
`openapi.yaml`: the documented response of that status, a named example of it, or a body generated from
its schema. Without those preferences it calls the handler with the arguments the handler takes, and hands
the request's `Exchange` to handlers that ask for it (`POST /v1/reports` honours `status=`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ..simulation.answers import Answers
from ..simulation.prefer import Exchange

CONTEXT_ONLY = frozenset({"token_info", "user", "mock_session", "mock_exchange"})


def canned(operation_id: str, handler: Callable[..., Any], answers: Answers) -> Callable[..., Any]:
    takes = set(inspect.signature(handler).parameters)

    def call(**kwargs: Any) -> Any:  # no functools.wraps: connexion must see **kwargs and pass everything
        exchange: Exchange | None = kwargs.pop("mock_exchange", None)
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
    call.__signature__ = inspect.signature(call)  # type: ignore[attr-defined]  # connexion asks on every request
    return call
