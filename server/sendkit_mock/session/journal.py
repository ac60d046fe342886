"""The request journal of one session: what its clients sent, what they got, and what broke the contract.

Entries are kept newest last, capped (the oldest go first). API keys never reach the journal whole: header
values of `X-Api-Key` and `Authorization` are masked to their last four characters before they are stored,
and a matcher's values for those headers are masked the same way before they are compared.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..domain.stores import Log
from ..errors import BadRequest, NotFound

Json = dict[str, Any]
MASKED = frozenset({"x-api-key", "authorization"})
BODY_LIMIT = 65_536  # characters of a body kept; longer ones are cut and marked
ANSWER_LIMIT = 16_384  # characters of an answer kept: answers are large and every entry has one
ANSWER_BYTES = 4 * ANSWER_LIMIT  # enough of an answer's UTF-8 for ANSWER_LIMIT characters
ANSWER_TEXT = "_answer"  # the answer as recorded: text, read as JSON only when an entry is shown
MATCHER_PARTS = ("method", "path", "pathPattern", "query", "headers", "bodyContains")


def mask(name: str, value: str) -> str:
    """A secret header's value as the journal keeps it: its last four characters."""
    return "…" + value[-4:] if name.lower() in MASKED else value


def body_of(raw: bytes) -> Any:
    """A request body as the journal keeps it: JSON when it is JSON, else text (cut), None when empty."""
    if not raw:
        return None
    return _json_or_text(_cut(raw.decode("utf-8", errors="replace"), BODY_LIMIT))


def answer_text(raw: bytes) -> str:
    """An answer's body as the recorder keeps it (cut): decoded, not parsed, so recording stays cheap."""
    return _cut(raw.decode("utf-8", errors="replace"), ANSWER_LIMIT)


def shown(entry: Json) -> Json:
    """An entry as the control plane answers it: the answer as JSON when it is JSON, else text, None when empty."""
    if ANSWER_TEXT not in entry:
        return entry
    shown_entry = {k: v for k, v in entry.items() if k != ANSWER_TEXT}
    text = entry[ANSWER_TEXT]
    shown_entry["answer"] = _json_or_text(text) if text else None
    return shown_entry


def _cut(text: str, limit: int) -> str:
    return text[:limit] + f"… (cut at {limit} characters)" if len(text) > limit else text


def _json_or_text(text: str) -> Any:
    if text.endswith(" characters)") and "… (cut at " in text:
        return text
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


class Journal:
    def __init__(self, log: Log[Json]) -> None:
        self.log = log

    @property
    def enabled(self) -> bool:
        return self.log.capacity != 0

    def record(self, entry: Json) -> None:
        self.log.append(entry)

    def restore(self, entries: list[Json]) -> None:
        """A state file's journal, given newest first as it exports."""
        self.log.replace_all(list(reversed(entries)))

    def clear(self) -> None:
        self.log.clear()

    def newest_first(self) -> list[Json]:
        return [shown(e) for e in self.log.all()[::-1]]

    def page(self, *, cursor: str | None, limit: int, method: str | None = None, path: str | None = None,
             status: int | None = None) -> tuple[list[Json], int, bool]:
        """One page, newest first, after the entry `cursor` names; the total and whether more follow."""
        entries = [e for e in self.log.all()[::-1]
                   if (method is None or e["method"] == method.upper()) and (path is None or e["path"] == path)
                   and (status is None or e["status"] == status)]
        start = 0
        if cursor is not None:
            position = next((i for i, e in enumerate(entries) if e["_id"] == cursor), None)
            if position is None:
                raise NotFound.unknown_cursor()
            start = position + 1
        items = [shown(e) for e in entries[start:start + limit]]
        return items, len(entries), start + limit < len(entries)

    def count(self, matcher: Mapping[str, Any], near_misses: int = 3) -> tuple[int, list[Json]]:
        """How many entries match; when none does, the closest few and which parts of the matcher each missed."""
        checks = _checks(matcher)
        misses = [(entry, [part for part, check in checks if not check(entry)]) for entry in self.log.all()[::-1]]
        matched = sum(1 for _, missed in misses if not missed)
        if matched:
            return matched, []
        closest = sorted(misses, key=lambda pair: len(pair[1]))[:near_misses]  # stable: newest first on ties
        return 0, [{"request": shown(entry), "missed": missed} for entry, missed in closest]


def _checks(matcher: Mapping[str, Any]) -> list[tuple[str, Callable[[Json], bool]]]:
    checks: list[tuple[str, Callable[[Json], bool]]] = []
    if "method" in matcher:
        checks.append(("method", lambda e: e["method"] == str(matcher["method"]).upper()))
    if "path" in matcher:
        checks.append(("path", lambda e: e["path"] == matcher["path"]))
    if "pathPattern" in matcher:
        try:
            pattern = re.compile(matcher["pathPattern"])
        except re.error as exc:
            raise BadRequest.field("pathPattern", f"Not a regular expression: {exc}") from None
        checks.append(("pathPattern", lambda e: pattern.fullmatch(e["path"]) is not None))
    if "query" in matcher:
        checks.append(("query", lambda e: all(e["query"].get(k) == v for k, v in matcher["query"].items())))
    if "headers" in matcher:
        wanted = {k.lower(): mask(k, v) for k, v in matcher["headers"].items()}
        checks.append(("headers", lambda e: all(
            {k.lower(): v for k, v in e["headers"].items()}.get(k) == v for k, v in wanted.items())))
    if "bodyContains" in matcher:
        checks.append(("bodyContains", lambda e: contains(e["body"], matcher["bodyContains"])))
    return checks


def contains(value: Any, wanted: Any) -> bool:
    """`wanted` is in `value` as a subset: an object's keys recursively, each wanted array item in some item."""
    if isinstance(wanted, dict):
        return isinstance(value, dict) and all(k in value and contains(value[k], v) for k, v in wanted.items())
    if isinstance(wanted, list):
        return isinstance(value, list) and all(any(contains(item, w) for item in value) for w in wanted)
    return bool(isinstance(value, bool) == isinstance(wanted, bool) and value == wanted)  # true is not 1
