"""Answers checked against the contract by a compiled validator (jsonschema-rs), built once per schema.

connexion's JSON response validator builds a Python Draft 4 validator on every answer and walks the body
with it: for a ready report (3 to 20 KB of content) that walk was half the server's CPU. This one is plugged
in through connexion's `validator_map` and compiles each response schema once, with OpenAPI's `nullable`
read as connexion reads it (a null passes `type` and `enum` of the schema that says so). Only when the
compiled validator refuses a body does connexion's own validator run, so a broken answer is reported in
exactly connexion's words.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
from connexion.validators import JSONResponseBodyValidator

_CAPACITY = 1024
_VALID_CAPACITY = 4096
_valid: OrderedDict[tuple[int, bytes], None] = OrderedDict()  # (id(schema), digest) of answers found valid
_KNOWN_VALID = object()
_NAMED = ("properties", "patternProperties", "definitions")
_VALUES = ("enum", "example", "examples", "default", "const")  # instances, not schemas
_compiled: OrderedDict[int, tuple[Any, Any]] = OrderedDict()  # id(schema) -> (schema, validator)
_lock = threading.Lock()


class CompiledResponseBodyValidator(JSONResponseBodyValidator):
    """Also remembers the answers it found valid (a digest of their bytes, per schema): the same ready report
    polled again is neither parsed nor walked a second time."""

    def _parse(self, stream: Iterator[bytes]) -> Any:
        raw = b"".join(stream)
        digest = (id(self._schema), hashlib.blake2b(raw, digest_size=16).digest())
        with _lock:
            held = _compiled.get(digest[0])
            if digest in _valid and held is not None and held[0] is self._schema:  # the id is still this schema's
                _valid.move_to_end(digest)
                return _KNOWN_VALID
        self._digest = digest
        return super()._parse(iter((raw,)))

    def _validate(self, body: Any) -> None:
        if body is _KNOWN_VALID:
            return
        validator = compiled(self._schema)
        if validator is None or not validator.is_valid(body):
            super()._validate(body)  # raises NonConformingResponseBody with connexion's message
        with _lock:
            _valid[self._digest] = None
            while len(_valid) > _VALID_CAPACITY:
                _valid.popitem(last=False)


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
