"""The request journal of one session: what its clients sent, what they got, and what broke the contract.

Entries are kept newest last, capped (the oldest go first). What an entry keeps is bounded, whatever was
sent: at most MAX_HEADERS headers and MAX_QUERY query parameters, each value cut at VALUE_LIMIT characters,
the path at PATH_LIMIT, the body at BODY_LIMIT and the answer at ANSWER_LIMIT, both kept as text and read as
JSON only when an entry is shown or a matcher looks into a body (a parsed body costs many times its text).
Credentials never reach the journal whole: values of the secret headers (keys, the admin token, cookies, proxy
credentials) are masked to their last four characters before they are stored, and a matcher's values for those
headers are masked the same way.

A matcher's `pathPattern` is matched by RE2, in time linear in the path: no pattern can hold the server.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import re2

from ..credentials import mask
from ..domain.stores import NumberedLog
from ..errors import BadRequest, NotFound
from ..simulation.stubs import contains

Json = dict[str, Any]
BODY_LIMIT = 16_384  # characters of a request body kept; longer ones are cut and marked
ANSWER_LIMIT = 16_384  # characters of an answer kept: answers are large and every entry has one
ANSWER_BYTES = 4 * ANSWER_LIMIT  # enough of an answer's UTF-8 for ANSWER_LIMIT characters
BODY_BYTES = 4 * BODY_LIMIT
MAX_HEADERS = 64  # headers kept of one request, in the order sent
MAX_QUERY = 64  # query parameters kept
VALUE_LIMIT = 1_024  # characters of one header or query value kept
PATH_LIMIT = 2_048
PATTERN_LIMIT = 1_000  # characters of a pathPattern
BODY_TEXT = "_body"  # the request body as recorded: text, read as JSON only when an entry is shown or matched
ANSWER_TEXT = "_answer"  # the answer as recorded, likewise
MATCHER_PARTS = ("method", "path", "pathPattern", "query", "headers", "bodyContains")
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a bad pattern is the client's 400, not a line on the server's stderr
_RE2_OPTIONS.max_mem = 1 << 20  # RE2's own bound on what a compiled pattern may hold


def body_text(raw: bytes) -> str | None:
    """A request body as the journal keeps it: its text, cut; None when empty."""
    return _cut(raw[: BODY_BYTES + 1].decode("utf-8", errors="replace"), BODY_LIMIT) if raw else None


def body_of(raw: bytes) -> Any:
    """A request body as the journal shows it: JSON when it is JSON, else text (cut), None when empty."""
    text = body_text(raw)
    return None if text is None else _json_or_text(text)


def answer_text(raw: bytes) -> str:
    """An answer's body as the recorder keeps it (cut): decoded, not parsed, so recording stays cheap."""
    return _cut(raw[: ANSWER_BYTES + 1].decode("utf-8", errors="replace"), ANSWER_LIMIT)


def kept_pairs(pairs: Any, limit: int) -> dict[str, str]:
    """Headers or query parameters as an entry keeps them: the first `limit`, secrets masked, values cut."""
    kept: dict[str, str] = {}
    for name, value in pairs:
        if len(kept) >= limit:
            break
        name = str(name)[:VALUE_LIMIT]
        kept[name] = _cut(mask(name, str(value)), VALUE_LIMIT)
    return kept


def shown(entry: Json) -> Json:
    """An entry as the control plane answers it: its body and answer as JSON when they are JSON, else text."""
    shown_entry = {k: v for k, v in entry.items() if k not in (ANSWER_TEXT, BODY_TEXT)}
    if BODY_TEXT in entry:
        shown_entry["body"] = _json_or_text(entry[BODY_TEXT]) if entry[BODY_TEXT] else None
    if ANSWER_TEXT in entry:
        text = entry[ANSWER_TEXT]
        shown_entry["answer"] = _json_or_text(text) if text else None
    return shown_entry


def kept(entry: Any) -> Json:
    """An entry of a state file (as shown) in the form the journal keeps, bounded as if recorded; ValueError
    naming what is wrong with it."""
    if not isinstance(entry, dict):
        raise ValueError("Must be an object")
    method, path, status = entry.get("method"), entry.get("path"), entry.get("status")
    if not isinstance(method, str) or not isinstance(path, str) or not isinstance(status, int):
        raise ValueError("Needs method and path (strings) and status (an integer)")
    for name in ("headers", "query"):
        if not isinstance(entry.get(name, {}), dict):
            raise ValueError(f"{name} must be an object")
    body, answer = entry.get("body"), entry.get("answer")
    found: Json = {
        "method": method[:16], "path": _cut(path, PATH_LIMIT),
        "query": kept_pairs(entry.get("query", {}).items(), MAX_QUERY),
        "headers": kept_pairs(entry.get("headers", {}).items(), MAX_HEADERS),
        BODY_TEXT: None if body is None else _cut(body if isinstance(body, str) else json.dumps(body), BODY_LIMIT),
        "status": status, "violations": _violations(entry.get("violations", [])),
        ANSWER_TEXT: "" if answer is None else _cut(answer if isinstance(answer, str) else json.dumps(answer),
                                                     ANSWER_LIMIT),
    }
    duration = entry.get("durationMs")
    if isinstance(duration, int | float):
        found["durationMs"] = duration
    for name in ("_id", "at", "injected", "workspaceId"):  # as exported; None kept as None
        if name in entry:
            found[name] = None if entry[name] is None else str(entry[name])[:64]
    return found


def _violations(found: Any) -> list[dict[str, str]]:
    if not isinstance(found, list) or not all(isinstance(v, dict) for v in found):
        raise ValueError("violations must be an array of {field, message}")
    return [{"field": str(v.get("field", ""))[:VALUE_LIMIT], "message": str(v.get("message", ""))[:VALUE_LIMIT]}
            for v in found[:MAX_HEADERS]]


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
    def __init__(self, log: NumberedLog) -> None:
        self.log = log

    @property
    def enabled(self) -> bool:
        return self.log.capacity != 0

    def record(self, entry: Json) -> None:
        """Keep `entry`, numbered: its `_id` is taken as it is written."""
        self.log.append_numbered(entry)

    def restore(self, entries: list[Json]) -> None:
        """A state file's journal, newest first as it exports, each entry as `kept` made it."""
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
        pattern = path_pattern(str(matcher["pathPattern"]))
        checks.append(("pathPattern", lambda e: pattern.fullmatch(e["path"]) is not None))
    if "query" in matcher:
        query = {k: mask(k, str(v)) for k, v in matcher["query"].items()}
        checks.append(("query", lambda e: all(e["query"].get(k) == v for k, v in query.items())))
    if "headers" in matcher:
        wanted = {k.lower(): mask(k, v) for k, v in matcher["headers"].items()}
        checks.append(("headers", lambda e: all(
            {k.lower(): v for k, v in e["headers"].items()}.get(k) == v for k, v in wanted.items())))
    if "bodyContains" in matcher:
        checks.append(("bodyContains", lambda e: contains(_body(e), matcher["bodyContains"])))
    return checks


def path_pattern(text: str) -> Any:
    """A pathPattern compiled by RE2 (linear time; no backreferences or lookaround), or a 400 naming it."""
    if len(text) > PATTERN_LIMIT:
        raise BadRequest.field("pathPattern", f"At most {PATTERN_LIMIT} characters")
    try:
        return re2.compile(text, _RE2_OPTIONS)
    except re2.error as exc:
        why = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise BadRequest.field("pathPattern", f"Not a regular expression RE2 takes (no backreferences or "
                                              f"lookaround): {why}") from None


def _body(entry: Json) -> Any:
    text = entry.get(BODY_TEXT)
    return _json_or_text(text) if text else entry.get("body")
