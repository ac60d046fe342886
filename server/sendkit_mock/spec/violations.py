"""JSON Schema errors as SendKit's {field, message}: what the mock's 400s say, and what the validating proxy
journals, in the same words ("Is required", "Must be one of: ...", a `not` rule's own `x-error-*` words).

Field names come from the error's structured data (the schema's `required` list, the instance's keys, the
path), never from the validator's English messages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import regress
from jsonschema import ValidationError

from ..errors import Detail


@lru_cache(maxsize=256)
def ecma_regex(pattern: str) -> regress.Regex:
    """An OpenAPI `pattern` compiled as what it is, an ECMA-262 regular expression (Python's `re` reads `\\s`,
    `\\d`, `\\w`, `.`, `\\b` and `$` otherwise, and refuses some of ECMA's syntax)."""
    return regress.Regex(pattern)


def matches(pattern: str, text: str) -> bool:
    return ecma_regex(pattern).find(text) is not None


def pattern_keyword(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """jsonschema's `pattern` keyword with the pattern read as ECMA-262 (for `validators.extend`)."""
    if validator.is_type(instance, "string") and not matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def field_path(path: Iterable[Any], prefix: str = "") -> str:
    out = prefix
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def details(errors: Iterable[ValidationError], prefix: str = "") -> list[Detail]:
    """Every error as details, ordered by field; one line for two keywords that say the same of a field."""
    found: dict[Detail, None] = {}
    seen: Counter[tuple[Any, ...]] = Counter()  # `required` errors so far per object: the k-th names the k-th gap
    for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path))):
        for detail in _describe(error, seen):
            found[Detail(f"{prefix}.{detail.field}" if prefix else detail.field, detail.message)] = None
    return list(found)


def _describe(error: ValidationError, seen: Counter[tuple[Any, ...]]) -> list[Detail]:
    kind, schema, value, instance = error.validator, error.schema, error.validator_value, error.instance
    path = list(error.absolute_path)
    if kind == "required" and isinstance(instance, dict):
        missing = [name for name in value if name not in instance] or ["?"]
        key = (*path, id(schema))
        nth = seen[key]
        seen[key] += 1
        return [Detail(field_path([*path, missing[min(nth, len(missing) - 1)]]), "Is required")]
    if kind == "additionalProperties" and isinstance(instance, dict) and isinstance(schema, dict):
        known, patterns = schema.get("properties", {}), schema.get("patternProperties", {})
        extras = [name for name in instance
                  if name not in known and not any(matches(p, name) for p in patterns)] or ["?"]
        return [Detail(field_path([*path, name]), "Is not an allowed property") for name in extras]
    if kind == "not" and isinstance(value, dict) and "x-error-field" in value:  # a rule across fields
        return [Detail(field_path([*path, value["x-error-field"]]), value.get("x-error-message", error.message))]
    custom = schema.get("x-error-message") if isinstance(schema, dict) else None
    if kind in ("oneOf", "anyOf") and not custom and error.context:
        return [d for e in _closest_branch(error.context) for d in _describe(e, seen)]
    return [Detail(field_path(path) or "body", custom or _message(kind, value, error.message))]


def _closest_branch(errors: list[ValidationError]) -> list[ValidationError]:
    """The errors of the alternative the instance came closest to: the fewest errors about its own shape
    (at its top: a missing or an extra property), then the fewest in all, then the first. A state document
    missing `version`, or with one bad entry, hears of that, not that it is neither a document nor an answer."""
    branches: dict[Any, list[ValidationError]] = {}
    for error in errors:
        branches.setdefault(error.relative_schema_path[0] if error.relative_schema_path else 0, []).append(error)
    return min(branches.values(), key=lambda found: (sum(not e.relative_path for e in found), len(found)))


def _message(kind: Any, value: Any, fallback: str) -> str:
    if kind == "enum":
        return "Must be one of: " + ", ".join(map(str, value))
    if kind == "type":
        return f"Must be of type {value if isinstance(value, str) else ' or '.join(value)}"
    if kind == "maxItems":
        return f"Must contain at most {value} items"
    if kind == "minItems":
        return f"Must contain at least {value} item{'s' if value != 1 else ''}"
    if kind == "uniqueItems":
        return "Must not contain duplicates"
    if kind == "format":
        return f"Must be a valid {value}"
    if kind in ("minimum", "maximum"):
        return f"Must be {'at least' if kind == 'minimum' else 'at most'} {value}"
    return fallback
