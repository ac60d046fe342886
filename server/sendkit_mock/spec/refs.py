"""`$ref`s of an OpenAPI document, followed one way for every reader (views, canned answers, the proxy).

Local references only (`#/components/...`), read as RFC 6901 JSON pointers: `~1` is `/`, `~0` is `~`. The
readers once stripped the `#/` with `str.lstrip`, which strips any run of `#` and `/` characters, not the
prefix. A reference this document cannot follow is a ValueError naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def deref(document: Mapping[str, Any], item: Any) -> Any:
    """`item`, or what its `$ref` (and the `$ref` of that, and so on) points at."""
    seen: set[str] = set()
    while isinstance(item, Mapping) and "$ref" in item:
        ref = str(item["$ref"])
        if ref in seen:
            raise ValueError(f"$ref {ref!r} refers to itself")
        seen.add(ref)
        item = target(document, ref)
    return item


def resolved(document: Mapping[str, Any], node: Any) -> Any:
    """A copy of `node` with every `$ref` in it replaced by what it points at, all the way down (for schemas
    with no cycle: generating a body, checking one with a plain validator)."""
    node = deref(document, node)
    if isinstance(node, Mapping):
        return {key: resolved(document, value) for key, value in node.items()}
    if isinstance(node, list):
        return [resolved(document, value) for value in node]
    return node


def target(document: Mapping[str, Any], ref: str) -> Any:
    """What one `$ref` points at (not followed further)."""
    if not ref.startswith("#/"):
        raise ValueError(f"$ref {ref!r} is not a reference inside this document")
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, Mapping) or key not in target:
            raise ValueError(f"$ref {ref!r} points at nothing")
        target = target[key]
    return target
