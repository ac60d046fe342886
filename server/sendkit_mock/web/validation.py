"""Request validation that reports every problem, each with a field path a person can read."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from connexion.json_schema import Draft4RequestValidator
from connexion.lifecycle import ConnexionRequest
from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, FormatChecker, validators
from starlette.datastructures import Headers
from starlette.types import Receive, Scope

from ..errors import BadRequest, Detail
from ..spec.violations import details, pattern_keyword
from .bodies import parse_body
from .compiled import compiled
from .incoming import KEY

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"-?[0-9]{1,18}\Z")  # ASCII digits, as a JSON or URL integer is written


def _is_date(value: object) -> bool:
    """Strict YYYY-MM-DD: `date.fromisoformat` alone also takes `20240101`."""
    if not isinstance(value, str):
        return True
    if not _DATE.match(value):
        raise ValueError("not YYYY-MM-DD")
    date.fromisoformat(value)
    return True


# jsonschema's Draft 4 formats and a strict `date`, in a checker of the mock's own: the one jsonschema keeps
# for every program in the process is left as it is.
FORMATS = FormatChecker()
FORMATS.checkers = {**Draft4Validator.FORMAT_CHECKER.checkers}
FORMATS.checks("date", raises=ValueError)(_is_date)


BodySchemaValidator = validators.extend(Draft4RequestValidator, {"pattern": pattern_keyword})
ParameterSchemaValidator = validators.extend(Draft4Validator, {"pattern": pattern_keyword})


def details_of(validator: Draft4Validator, instance: Any) -> list[Detail]:
    return details(validator.iter_errors(instance))


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
        body = parse_body(text) if text else None
        if KEY in scope:
            scope[KEY].parsed = body  # the view hands this to the handler: the body is parsed once
        return body

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if body is None and not self._nullable:
            raise BadRequest.field("body", "A JSON body is required")
        fast = compiled(self._schema)
        if fast is not None and fast.is_valid(body):  # the common case, compiled; a refusal is explained below
            return None
        validator = BodySchemaValidator(self._schema, format_checker=FORMATS)
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
        written = dict(parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        for where, values in sources.items():
            for param in self.parameters.get(where, []):
                name = param["name"]
                if where == "query" and isinstance(written.get(name), str):  # as written, not as coerced
                    if param.get("schema", {}).get("type") == "integer" and not _INTEGER.match(written[name]):
                        details.append(Detail(name, "Must be an integer"))  # int() took "+1", " 1 ", "１"
                        continue
                details += self._check(param, values.get(name))
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
            if not _INTEGER.match(raw):  # Python's int() also takes " 1 ", "+1", "1_000" and "１"
                return [Detail(name, "Must be an integer")]
            value = int(raw)
        fast = compiled(schema)
        if fast is not None and fast.is_valid(value):  # compiled once per parameter; a refusal explained below
            return []
        validator = ParameterSchemaValidator(schema, format_checker=FORMATS)
        return [Detail(name, d.message) for d in details_of(validator, value)]
