"""A JSON Schema error as SendKit's {field, message}: what the mock's 400s say, and what the validating proxy
journals, in the same words ("Is required", "Must be one of: ...", a `not` rule's own `x-error-*` words)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from jsonschema import ValidationError

from .errors import Detail


def field_path(path: Iterable[Any], prefix: str = "") -> str:
    out = prefix
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe(error: ValidationError) -> Detail:
    """One jsonschema error as SendKit's {field, message}."""
    kind, schema, value = error.validator, error.schema, error.validator_value
    path = list(error.absolute_path)
    custom = schema.get("x-error-message") if isinstance(schema, dict) else None
    if kind == "required":
        missing = re.search(r"'(.+?)' is a required property", error.message)
        return Detail(field_path([*path, missing.group(1) if missing else "?"]), "Is required")
    if kind == "additionalProperties":
        extras = re.findall(r"'(.+?)'", error.message.split("(")[-1]) or ["?"]
        return Detail(field_path([*path, extras[0]]), "Is not an allowed property")
    if kind == "not" and isinstance(value, dict) and "x-error-field" in value:  # a rule across fields
        return Detail(field_path([*path, value["x-error-field"]]), value.get("x-error-message", error.message))
    if custom:
        message = custom
    elif kind == "enum":
        message = "Must be one of: " + ", ".join(map(str, value))
    elif kind == "type":
        message = f"Must be of type {value if isinstance(value, str) else ' or '.join(value)}"
    elif kind == "maxItems":
        message = f"Must contain at most {value} items"
    elif kind == "minItems":
        message = f"Must contain at least {value} item{'s' if value != 1 else ''}"
    elif kind == "uniqueItems":
        message = "Must not contain duplicates"
    elif kind == "format":
        message = f"Must be a valid {value}"
    elif kind in ("minimum", "maximum"):
        message = f"Must be {'at least' if kind == 'minimum' else 'at most'} {value}"
    else:
        message = error.message
    return Detail(field_path(path) or "body", message)
