"""A value held to one of the contract's named schemas (`components/schemas`), as an answer would be: OAS 3.0
(`nullable` and the rest), ECMA-262 patterns and formats checked. For what enters the mock without passing
through an operation's request schema (a state import's records), so nothing it holds answers a 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import validators
from openapi_schema_validator import OAS30Validator

from ..errors import Detail
from .violations import details, pattern_keyword

_Validator = validators.extend(OAS30Validator, {"pattern": pattern_keyword})  # patterns are ECMA-262


class Shapes:
    def __init__(self, document: Mapping[str, Any]) -> None:
        # The whole document is the root every `#/components/...` reference resolves against.
        self._root = _Validator(dict(document), format_checker=OAS30Validator.FORMAT_CHECKER)

    def problems(self, name: str, value: Any, prefix: str) -> list[Detail]:
        """What is wrong with `value` as a `name` (a schema of components/schemas), each field under `prefix`."""
        validator = self._root.evolve(schema={"$ref": f"#/components/schemas/{name}"})
        return details(validator.iter_errors(value), prefix)


_made: dict[int, tuple[Mapping[str, Any], Shapes]] = {}


def shapes_of(document: Mapping[str, Any]) -> Shapes:
    """One `Shapes` per document object (the documents are loaded once per version of their files); the
    document is held with it, so its id is not reused while it is cached."""
    found = _made.get(id(document))
    if found is None or found[0] is not document:
        if len(_made) >= 4:
            _made.clear()
        found = _made[id(document)] = (document, Shapes(document))
    return found[1]
