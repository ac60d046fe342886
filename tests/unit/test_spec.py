"""openapi.yaml is valid, and says where it goes beyond SendKit's public pages."""

from typing import Any

import yaml
from openapi_spec_validator import validate

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
