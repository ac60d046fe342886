"""What a store may remember for the length of one request, so a request reads a shared value once.

The outermost web layer opens a memo per request (`request_memo`); a shared store keeps values there (a
session's clock state: one read instead of five) and drops what it writes. Outside a request (the ticker,
tests calling the domain) there is no memo and every read goes to the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_memo: ContextVar[dict[str, Any] | None] = ContextVar("sendkit_mock_request_memo", default=None)


@contextmanager
def request_memo() -> Iterator[dict[str, Any]]:
    memo: dict[str, Any] = {}
    token = _memo.set(memo)
    try:
        yield memo
    finally:
        _memo.reset(token)


def current() -> dict[str, Any] | None:
    """This request's memo, or None outside a request."""
    return _memo.get()
