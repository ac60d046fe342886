"""JSON in and out of connexion with orjson: several times faster than the standard library's encoder on the
mock's answers (a page of reports, a ready report's content), with the same compact output."""

from __future__ import annotations

import json
from typing import Any

import orjson
from connexion.jsonifier import Jsonifier


class FastJsonifier(Jsonifier):
    """connexion's Jsonifier (its public extension point for encoding) over orjson: `dumps` gives the same
    compact text as `json.dumps(separators=(",", ":"))` plus connexion's newline; `loads` as connexion's."""

    def __init__(self) -> None:
        super().__init__()

    def dumps(self, data: Any, **kwargs: Any) -> str:
        try:
            return orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE).decode()
        except orjson.JSONEncodeError:  # what orjson leaves out (an integer past 64 bits): the standard library
            return json.dumps(data, separators=(",", ":")) + "\n"

    def loads(self, data: Any) -> Any:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return data.decode() if isinstance(data, bytes) else data


def loads(raw: bytes | str) -> Any:
    """A document of JSON (raises ValueError when it is not)."""
    return orjson.loads(raw)
