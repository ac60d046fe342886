"""Rules across fields that JSON Schema cannot state, as the contract marks them for tools, kept by the
positive cases of a contract run, so that only a deployment's bug can make a valid case a 4xx.

One kind exists: `x-sendkit-not-before: <other>` on a property, e.g. `periodEnd` not before `periodStart`
(openapi.yaml). A positive case whose two values are in reverse order, or that leaves the later one out
(SendKit then takes today, which a generated start may be after), gets the later one equal to the earlier.
Negative cases go out as generated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from ..spec.refs import deref

NOT_BEFORE = "x-sendkit-not-before"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BEYOND_MICROSECONDS = re.compile(r"(\.\d{6})\d+")


def ordered_pairs(schema: Any, document: dict[str, Any]) -> list[tuple[str, str]]:
    """(later, earlier) for each `x-sendkit-not-before` among a body schema's properties, through $ref and
    the combinators; without recursion past what was seen."""
    pairs: list[tuple[str, str]] = []
    for node in _schemas(schema, document):
        for name, prop in (node.get("properties") or {}).items():
            earlier = deref(document, prop).get(NOT_BEFORE) if isinstance(prop, dict) else None
            if isinstance(earlier, str) and (name, earlier) not in pairs:
                pairs.append((name, earlier))
    return pairs


def keep_order(body: Any, pairs: list[tuple[str, str]]) -> None:
    """A positive case's body with each pair in order (in place)."""
    if not isinstance(body, dict):
        return
    for later, earlier in pairs:
        first = body.get(earlier)
        if not isinstance(first, str):
            continue
        last = body.get(later)
        if not isinstance(last, str) or _before(last, first):
            body[later] = first


def _before(later: str, earlier: str) -> bool:
    """Whether `later` names an instant before `earlier` (a date as an end covers its day); unreadable: yes."""
    try:
        return _instant(later, end=True) < _instant(earlier, end=False)
    except ValueError:
        return True


def _instant(value: str, *, end: bool) -> datetime:
    if _DATE.match(value):
        day = datetime.fromisoformat(value).replace(tzinfo=UTC)
        return day + timedelta(days=1) if end else day
    moment = datetime.fromisoformat(_BEYOND_MICROSECONDS.sub(r"\1", value.upper()))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _schemas(schema: Any, document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    seen: set[int] = set()
    stack = [schema]
    while stack:
        node = deref(document, stack.pop())
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        for key in ("allOf", "oneOf", "anyOf"):
            stack.extend(node.get(key) or [])
