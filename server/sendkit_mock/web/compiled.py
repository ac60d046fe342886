"""JSON Schemas of the contract compiled once (jsonschema-rs), with OpenAPI's `nullable` read as connexion reads
it: a null passes `type` and `enum` of the schema that says so. A fast yes/no: where the answer is no, the
callers run the reference Python validator, whose words reach the client (a 400's details) or the log."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import jsonschema_rs

_CAPACITY = 1024
_NAMED = ("properties", "patternProperties", "definitions")
_VALUES = ("enum", "example", "examples", "default", "const")  # instances, not schemas
_compiled: OrderedDict[int, tuple[Any, Any]] = OrderedDict()  # id(schema) -> (schema, validator)
_lock = threading.Lock()


def holds(schema: Any) -> bool:
    """Whether `schema` itself (not a newer object at its address) is the one compiled under its id."""
    with _lock:
        held = _compiled.get(id(schema))
        return held is not None and held[0] is schema


class _Cyclic(ValueError):
    """A schema that contains itself (a recursive $ref, resolved): left to connexion's validator."""


def compiled(schema: dict[str, Any]) -> Any:
    """The compiled validator of a (resolved) schema, kept while the schema object lives in the cache; None
    for a schema that contains itself."""
    key = id(schema)
    with _lock:
        found = _compiled.get(key)
        if found is not None and found[0] is schema:
            _compiled.move_to_end(key)
            return found[1]
    try:
        validator = jsonschema_rs.Draft4Validator(with_nullable(schema), validate_formats=True)
    except _Cyclic:
        validator = None
    with _lock:
        _compiled[key] = (schema, validator)  # the schema is held, so its id is not reused while cached
        while len(_compiled) > _CAPACITY:
            _compiled.popitem(last=False)
    return validator


def with_nullable(schema: Any, _inside: frozenset[int] = frozenset()) -> Any:
    """A copy where `nullable: true` is plain JSON Schema: null added to the same schema's type and enum."""
    if isinstance(schema, (list, dict)):
        if id(schema) in _inside:
            raise _Cyclic()
        _inside = _inside | {id(schema)}
    if isinstance(schema, list):
        return [with_nullable(item, _inside) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _NAMED:  # keys are property names, not keywords
            out[key] = {name: with_nullable(sub, _inside) for name, sub in value.items()}
        elif key in _VALUES:
            out[key] = value
        elif not key.startswith("x-"):
            out[key] = with_nullable(value, _inside)
    if schema.get("nullable") is True or schema.get("x-nullable") is True:
        if "type" in out:
            kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*kinds, "null"] if "null" not in kinds else kinds
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    out.pop("nullable", None)
    return out
