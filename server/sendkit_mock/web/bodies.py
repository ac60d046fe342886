"""A request body's JSON, parsed within limits, so no body (however deep, however long its numbers) is a 500.

Python's parser raises RecursionError past about a thousand levels and ValueError on an integer of more than
4,300 digits; below those, a deep document still costs every later step (validation, the error's text). It
also takes a lone surrogate escape (`"\\ud800"`), which is no Unicode character: every later step that
encodes the text (a pattern, the store, the answer) would fail on it, so it is a 400 naming where it is.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from ..errors import BadRequest
from ..spec.violations import field_path

MAX_DEPTH = 64  # arrays and objects inside one another; the contract's deepest body needs 3
MAX_NUMBER_CHARS = 100  # a JSON number's text; no field of the contract needs more than a few digits
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # the escape of a surrogate, paired or not
_NUMBER_RUN = re.compile(rf"[-+.0-9eE]{{{MAX_NUMBER_CHARS + 1}}}")  # a number that long, or a string like one


def parse_body(text: str) -> Any:
    """The parsed body, or a 400 naming `body` that says what is wrong with it."""
    if not _NUMBER_RUN.search(text):  # no number can be too long: orjson parses, the standard library explains
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # malformed, an integer past 64 bits, NaN, a lone surrogate: worded (or taken) below
        else:
            if text.count("[") + text.count("{") > MAX_DEPTH and _depth(value) > MAX_DEPTH:
                raise _too_deep()
            return value
    try:
        value = json.loads(text, parse_int=_number(int), parse_float=_number(float), parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise BadRequest.field("body", f"Malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise _too_deep() from None
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        raise _too_deep()
    if _SURROGATE_ESCAPE.search(text):
        where = _surrogate(value)
        if where is not None:
            raise BadRequest.field(where, "Contains a lone surrogate (\\ud800-\\udfff), which is no Unicode "
                                          "character: JSON text is UTF-8")
    return value


def _surrogate(value: Any) -> str | None:
    """The field path of the first key or string holding a lone surrogate, without recursion; None if none."""
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str) and _is_broken(node):
            return field_path(path) or "body"
        if isinstance(node, dict):
            for key, child in node.items():
                if _is_broken(key):
                    return field_path([*path, key.encode("utf-8", "backslashreplace").decode()])
                stack.append((child, [*path, key]))
        elif isinstance(node, list):
            stack.extend((child, [*path, i]) for i, child in enumerate(node))
    return None


def _is_broken(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _number(kind: type) -> Any:
    def convert(literal: str) -> Any:
        if len(literal) > MAX_NUMBER_CHARS:
            raise BadRequest.field("body", f"A number in the body is longer than {MAX_NUMBER_CHARS} characters")
        return kind(literal)

    return convert


def _no_constant(name: str) -> Any:
    raise BadRequest.field("body", f"Malformed JSON: {name} is not a JSON value")


def _too_deep() -> BadRequest:
    return BadRequest.field("body", f"The body nests arrays and objects more than {MAX_DEPTH} levels deep")


def _depth(value: Any) -> int:
    """How deep arrays and objects nest in `value`, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest
