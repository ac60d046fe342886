"""Answers straight from the contract: a documented response's example, a named one, or a body generated
from its schema (`Prefer: code=…, example=…, dynamic=true`), for the operation being called.

Generated bodies come from `jsf` (what `connexion[mock]` uses, on generators of its own: generator.py),
seeded by the mock's seed and the request, so a generated body repeats for the same seed and request; then
checked against the response schema. A value the schema pins down (a one-value `enum`) is set to it, which jsf
gets wrong for booleans. A body that still fails the schema is tried again with the next seed.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from ..errors import BadRequest, MissingExtra, need
from ..spec import Document, OperationIndex, resolved
from .generator import generate
from .prefer import HEADER, Preferences

Json = dict[str, Any]
ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any
    applied: Preferences  # what of the preferences this answer honours


class Answers:
    def __init__(self, contract: Document, seed: int | str) -> None:
        """Answers of the operations of `contract` (SendKit's: `Prefer` applies to its operations alone)."""
        document = self.document = contract.document
        self.seed = seed
        self._responses: dict[str, dict[int, Json]] = {}
        for operation in OperationIndex([contract]).by_id.values():
            responses = operation.spec["responses"].items()
            self._responses[operation.operation_id] = {
                int(code): resolved(document, response) for code, response in responses if str(code).isdigit()}
        self._schemas: dict[tuple[str, int], Json | None] = {}

    def documented(self, operation_id: str) -> list[int]:
        return sorted(self._responses.get(operation_id, {}))

    def answer(self, operation_id: str, prefer: Preferences, request: Mapping[str, Any]) -> Answer:
        """The documented answer the preferences ask for; a 400 naming `Prefer` when there is none."""
        responses = self._responses[operation_id]
        status = self._status(operation_id, prefer)
        response = responses[status]
        media = (response.get("content") or {}).get("application/json")
        if prefer.dynamic and media is not None:
            try:
                need("dynamic", "jsf")
            except MissingExtra as exc:
                raise BadRequest.field("Prefer", str(exc)) from None
            body = self._generate(operation_id, status, request)
            if body is not None:
                return Answer(status, body, Preferences(code=prefer.code, dynamic=True))
        if prefer.example is not None:
            return Answer(status, self._named(operation_id, status, prefer.example),
                          Preferences(code=prefer.code, example=prefer.example))
        body = None if media is None else copy.deepcopy(media.get("example", _first(media.get("examples"))))
        return Answer(status, body, Preferences(code=prefer.code))

    # --- picking the response -------------------------------------------------------------------------
    def _status(self, operation_id: str, prefer: Preferences) -> int:
        documented = self.documented(operation_id)
        if prefer.code is not None:
            if prefer.code not in documented:
                raise BadRequest.field(HEADER, f"code={prefer.code} is not a documented answer of this operation; "
                                       f"it documents {', '.join(map(str, documented))}")
            return prefer.code
        if prefer.example is not None:  # the answer that has an example of that name, a success first
            for status in sorted(documented, key=lambda s: (not 200 <= s < 300, s)):
                if prefer.example in self._names(operation_id, status):
                    return status
        return min(s for s in documented if 200 <= s < 300)

    def example_names(self, operation_id: str, status: int) -> list[str]:
        return self._names(operation_id, status)

    def schema(self, operation_id: str, status: int) -> Json | None:
        """The JSON answer's schema as JSON Schema (OpenAPI's `nullable` spelled out), or None without one."""
        return self._schema(operation_id, status)

    def _names(self, operation_id: str, status: int) -> list[str]:
        media = (self._responses[operation_id][status].get("content") or {}).get("application/json") or {}
        return list(media.get("examples") or {})

    def _named(self, operation_id: str, status: int, name: str) -> Any:
        names = self._names(operation_id, status)
        if name not in names:
            known = ", ".join(names) if names else "none: it has one unnamed example"
            raise BadRequest.field(HEADER, f"example={name} is not an example of the {status} answer; "
                                   f"its named examples: {known}")
        media = self._responses[operation_id][status]["content"]["application/json"]
        return copy.deepcopy(media["examples"][name]["value"])

    # --- generated bodies --------------------------------------------------------------------------------
    def _generate(self, operation_id: str, status: int, request: Mapping[str, Any]) -> Any:
        schema = self._schema(operation_id, status)
        if schema is None:
            return None
        fingerprint = repr(sorted((k, repr(v)) for k, v in request.items()))
        base = int.from_bytes(hashlib.sha256(
            f"{self.seed}/{operation_id}/{status}/{fingerprint}".encode()).digest()[:8], "big")
        validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
        for attempt in range(ATTEMPTS):
            try:
                body = generate(schema, base + attempt)
            except Exception:  # a schema construct jsf cannot build: try the next seed, then give up
                continue
            body = _pin(schema, body)
            if validator.is_valid(body):
                return body
        return None

    def _schema(self, operation_id: str, status: int) -> Json | None:
        key = (operation_id, status)
        if key not in self._schemas:
            media = (self._responses[operation_id][status].get("content") or {}).get("application/json")
            schema = media.get("schema") if media else None
            self._schemas[key] = None if schema is None else _plain(resolved(self.document, schema))
        return self._schemas[key]


def _first(examples: Any) -> Any:
    if isinstance(examples, dict) and examples:
        return next(iter(examples.values())).get("value")
    return None


def _plain(node: Any) -> Any:
    """OpenAPI 3.0's schema dialect as JSON Schema draft 4: `nullable` as a null type; no docs or extensions."""
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _plain(v) for k, v in node.items()
           if not k.startswith("x-") and k not in ("example", "examples", "description", "nullable", "readOnly")}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def _pin(schema: Any, value: Any) -> Any:
    """Set every value a one-value enum pins down to that value, through objects and arrays."""
    if not isinstance(schema, dict):
        return value
    if isinstance(schema.get("enum"), list) and len(schema["enum"]) == 1:
        return schema["enum"][0]
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        return {k: _pin(properties.get(k), v) for k, v in value.items()}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_pin(schema["items"], v) for v in value]
    return value
