"""A request and its answer checked against an OpenAPI 3.0 document, for traffic the mock did not answer.

Independent of the server's framework: the operation is found from the path templates (a literal segment
before a parameter: `/v1/reports/recipients` is not `/v1/reports/{id}`), then parameters, body, status and
the answer's body are checked with openapi-schema-validator's OAS 3.0 dialect (`nullable` and the rest), every
problem reported as a {field, message} pair, the way SendKit's `details` are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from jsonschema import validators
from openapi_schema_validator import OAS30Validator

from ..errors import Detail
from ..spec import Document, Operation, OperationIndex, deref
from ..spec.violations import details, pattern_keyword

_Validator = validators.extend(OAS30Validator, {"pattern": pattern_keyword})  # patterns are ECMA-262
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class ContractCheck:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        # The whole document is the root every `#/components/...` reference resolves against: a schema's
        # validator is this one evolved (`evolve` keeps the root's resolver).
        self._root = _Validator(dict(document), format_checker=OAS30Validator.FORMAT_CHECKER)
        self.index = OperationIndex([Document("the contract", "", document)])

    def operation(self, method: str, path: str) -> Operation | None:
        return self.index.operation(method, path)

    # --- the request ------------------------------------------------------------------------------
    def request(self, method: str, path: str, query: list[tuple[str, str]], headers: Mapping[str, str],
                body: bytes) -> tuple[Operation | None, list[Detail]]:
        """The operation the request is for, and what about the request breaks the contract."""
        route = self.index.route(path)
        operation = route.operation(method) if route is not None else None
        if route is None or operation is None:
            why = f"{method} is not an operation of {path}" if route else f"No path of the contract matches {path}"
            return None, [Detail("path", why)]
        violations: list[Detail] = []
        lowered = {k.lower(): v for k, v in headers.items()}
        values: dict[str, dict[str, Any]] = {
            "path": route.values(path), "query": _grouped(query), "header": lowered, "cookie": {}}
        declared_query = set()
        for param in operation.parameters:
            where, name = param["in"], param["name"]
            key = name.lower() if where == "header" else name
            if where == "query":
                declared_query.add(name)
            raw = values[where].get(key)
            if raw is None:
                if param.get("required"):
                    violations.append(Detail(name, f"Required {where} parameter is missing"))
                continue
            schema = param.get("schema", {})
            violations += self._check(schema, _coerce(schema, raw), name)
        for name in sorted(set(values["query"]) - declared_query):
            violations.append(Detail(name, "Not a query parameter of this operation"))
        violations += self._request_body(operation, lowered.get("content-type", ""), body)
        return operation, violations

    def _request_body(self, operation: Operation, content_type: str, body: bytes) -> list[Detail]:
        spec = deref(self.document, operation.spec.get("requestBody", {}))
        if not spec:
            return []
        if not body:
            return [Detail("body", "A request body is required")] if spec.get("required") else []
        media = _media(spec.get("content", {}), content_type)
        if media is None:
            return [Detail("body", f"Content-Type {content_type or '(none)'} is not one of "
                                      + ", ".join(spec.get("content", {})))]
        try:
            document = json.loads(body)
        except ValueError:
            return [Detail("body", "Not valid JSON")]
        return self._check(media.get("schema", {}), document, "")

    # --- the answer ---------------------------------------------------------------------------------
    def response(self, operation: Operation | None, status: int, content_type: str, body: bytes) -> list[Detail]:
        """What about the answer breaks the contract of `operation`."""
        if operation is None:
            return []
        responses = operation.spec.get("responses", {})
        spec = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if spec is None:
            return [Detail("status", f"{status} is not a documented status of {operation.label} (documented: "
                                        + ", ".join(sorted(responses)) + ")")]
        spec = deref(self.document, spec)
        content = spec.get("content")
        if not content:
            return [Detail("body", "A body where the contract documents none")] if body.strip() else []
        media = _media(content, content_type)
        if media is None:
            return [Detail("content-type", f"{content_type or '(none)'} is not one of " + ", ".join(content))]
        try:
            document = json.loads(body)
        except ValueError:
            return [Detail("body", "Not valid JSON")]
        return self._check(media.get("schema", {}), document, "")

    # --- schemas ------------------------------------------------------------------------------------
    def _check(self, schema: Mapping[str, Any], instance: Any, prefix: str) -> list[Detail]:
        validator = self._root.evolve(schema=schema)
        errors = list(validator.iter_errors(instance))
        for error in errors:
            if error.validator == "not" and isinstance(error.validator_value, dict):
                error.validator_value = deref(self.document, error.validator_value)  # for its x-error-field
        return details(errors, prefix)


def _grouped(query: list[tuple[str, str]]) -> dict[str, Any]:
    grouped: dict[str, Any] = {}
    for name, value in query:
        grouped[name] = [*grouped[name], value] if isinstance(grouped.get(name), list) else (
            [grouped[name], value] if name in grouped else value)
    return grouped


def _coerce(schema: Mapping[str, Any], raw: Any) -> Any:
    """A parameter's text as the type its schema names (a value that is not stays text, and fails)."""
    kind = schema.get("type")
    if kind == "array":
        items = raw if isinstance(raw, list) else str(raw).split(",")
        return [_coerce(schema.get("items", {}), item) for item in items]
    if isinstance(raw, list):
        raw = raw[-1]
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _media(content: Mapping[str, Any], content_type: str) -> Mapping[str, Any] | None:
    essence = content_type.split(";")[0].strip().lower()
    for name, media in content.items():
        if name == essence or name == "*/*" or (name.endswith("/*") and essence.startswith(name[:-1])):
            return dict(media)
    if essence.endswith("+json"):
        return next((dict(m) for n, m in content.items() if n == "application/json"), None)
    return None
