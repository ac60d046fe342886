"""openapi.yaml is valid, and says where it goes beyond SendKit's public pages."""

from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from sendkit_mock.resources import spec_path

SPEC: dict[str, Any] = yaml.safe_load(spec_path().read_text())
METHODS = ("get", "post", "put", "patch", "delete")
OPERATIONS = [(path, m, op) for path, item in SPEC["paths"].items() for m, op in item.items() if m in METHODS]
CONFIRMED = {  # on SendKit's public pages
    ("/v1/reports", "post"),
    ("/v1/reports/recipients", "post"),
    ("/v1/reports/recipients", "get"),
    ("/v1/webhooks", "post"),
    ("/v1/webhooks", "get"),
    ("/v1/webhooks/{id}", "patch"),
    ("/v1/webhooks/{id}/test", "post"),
}


def test_the_spec_is_valid_openapi_3_0() -> None:
    assert SPEC["openapi"] == "3.0.3"
    validate(SPEC)


def test_every_inferred_operation_is_marked_with_a_reason_and_says_so() -> None:
    for path, method, op in OPERATIONS:
        if (path, method) in CONFIRMED:
            continue
        if path.startswith("/__mock/"):
            assert op.get("x-mock-only") is True and "**Mock-only.**" in op["description"], (method, path)
            continue
        assert op.get("x-sendkit-inferred") is True, (method, path)
        assert op.get("x-sendkit-inferred-reason"), (method, path)
        assert "**Inferred**" in op["description"], (method, path)


def test_every_operation_documents_its_errors_with_the_error_schema() -> None:
    for path, method, op in OPERATIONS:
        statuses = set(op["responses"])
        assert {"400", "401", "405", "500"} <= statuses, (method, path)
        for status in statuses - {"200", "201", "204"}:
            ref = op["responses"][status]["$ref"].split("/")[-1]
            response = SPEC["components"]["responses"][ref]
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            assert response["content"]["application/json"]["example"]["code"] == int(status)


REGISTRY = Registry().with_resource("urn:spec", Resource.from_contents(SPEC, default_specification=DRAFT4))


def _responses() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, method, op in OPERATIONS:
        for status, response in op["responses"].items():
            if "$ref" in response:
                response = SPEC["components"]["responses"][response["$ref"].split("/")[-1]]
            out.append((f"{method.upper()} {path} {status}", status, response["content"]["application/json"]))
    return out


@pytest.mark.parametrize(("where", "status", "content"), _responses(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_response_has_an_example_that_its_schema_accepts(where: str, status: str, content: dict[str, Any]) -> None:
    assert "example" in content, where
    schema = {"$ref": "urn:spec" + content["schema"]["$ref"]}
    errors = list(OAS30Validator(schema, registry=REGISTRY).iter_errors(content["example"]))
    assert errors == [], [e.message for e in errors]
