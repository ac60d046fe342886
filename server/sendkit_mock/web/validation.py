"""Request validation that reports every problem, each with a field path a person can read."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from connexion.json_schema import Draft4RequestValidator
from connexion.lifecycle import ConnexionRequest
from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, ValidationError, validators
from starlette.datastructures import Headers
from starlette.types import Receive, Scope

from ..errors import BadRequest, Detail
from ..violations import describe
from .bodies import parse_body
from .compiled import compiled

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@Draft4Validator.FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    """Strict YYYY-MM-DD: `date.fromisoformat` alone also takes `20240101`."""
    if not isinstance(value, str):
        return True
    if not _DATE.match(value):
        raise ValueError("not YYYY-MM-DD")
    date.fromisoformat(value)
    return True


# OpenAPI patterns are ECMA-262 regular expressions; Python's `re` reads some escapes differently: its `\s`
# also takes \x1c-\x1f and \x85 (and not \ufeff), its `\d` and `\w` take any Unicode digit or letter, and
# its `$` also matches before a final newline. Schemathesis found the first (a webhook URL with \x1f, valid
# by the contract, rejected by `^https?://[^\s/?#]+[^\s]*$`). Patterns are translated before matching.
_ECMA_CLASSES = {
    "s": "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff",
    "d": "0-9",
    "w": "A-Za-z0-9_",
}


@lru_cache(maxsize=256)
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled with ECMA-262 meanings for \\s \\S \\d \\D \\w \\W and `$`."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            members = _ECMA_CLASSES.get(escaped.lower())
            if members is None or (in_class and escaped.isupper()):
                out.append(pattern[i : i + 2])  # a negated class inside a class stays Python's
            elif in_class:
                out.append(members)
            else:
                out.append(f"[{'^' if escaped.isupper() else ''}{members}]")
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":  # a member, as Python reads it (not ECMA's empty `[]`)
                out.append("\\]")
                i += 1
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        elif char == "$" and not in_class:
            out.append("\\Z")
        else:
            out.append(char)
        i += 1
    return re.compile("".join(out))


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


BodySchemaValidator = validators.extend(Draft4RequestValidator, {"pattern": _ecma_pattern})
ParameterSchemaValidator = validators.extend(Draft4Validator, {"pattern": _ecma_pattern})


def details_of(validator: Draft4Validator, instance: Any, prefix: str = "") -> list[Detail]:
    found: dict[Detail, None] = {}  # ordered, and one line for two keywords that say the same (format, pattern)
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        detail = describe(error)
        found[Detail(prefix + detail.field if prefix else detail.field, detail.message)] = None
    return list(found)


class RequestBodyValidator(JSONRequestBodyValidator):
    """Every schema error in `details`; malformed JSON and bad UTF-8 as 400, never 500."""

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        if self._required and not int(Headers(scope=scope).get("content-length", 0)):
            raise BadRequest.field("body", "A JSON body is required")
        return await super().wrap_receive(receive, scope=scope)

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        try:
            text = raw.decode(self._encoding)
        except (UnicodeDecodeError, LookupError):
            raise BadRequest.field("body", f"The body is not valid {self._encoding} text") from None
        return parse_body(text) if text else None

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if body is None and not self._nullable:
            raise BadRequest.field("body", "A JSON body is required")
        fast = compiled(self._schema)
        if fast is not None and fast.is_valid(body):  # the common case, compiled; a refusal is explained below
            return None
        validator = BodySchemaValidator(self._schema, format_checker=Draft4Validator.FORMAT_CHECKER)
        details = details_of(validator, body)
        if details:
            raise BadRequest(details=details)
        return None


class RequestParameterValidator(ParameterValidator):
    """Query, path and header parameters, every problem at once, named as the client wrote it."""

    def validate_request(self, request: ConnexionRequest) -> None:
        details: list[Detail] = []
        if self.strict_validation:
            known = {p["name"] for p in self.parameters.get("query", [])} | self.security_query_params
            details += [
                Detail(name, "Is not an allowed query parameter")
                for name in sorted(set(request.query_params.keys()) - known)
            ]
        sources = {
            "query": request.query_params,
            "path": request.path_params,
            "header": request.headers,
        }
        for where, values in sources.items():
            for param in self.parameters.get(where, []):
                details += self._check(param, values.get(param["name"]))
        if details:
            raise BadRequest(details=details)

    @staticmethod
    def _check(param: dict[str, Any], raw: Any) -> list[Detail]:
        name = param["name"]
        if raw is None:
            return [Detail(name, "Is required")] if param.get("required") else []
        schema = param.get("schema", {})
        value: Any = raw
        if schema.get("type") == "integer" and isinstance(raw, str):
            try:
                value = int(raw)
            except ValueError:
                return [Detail(name, "Must be an integer")]
        validator = ParameterSchemaValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
        return [Detail(name, d.message) for d in details_of(validator, value)]
