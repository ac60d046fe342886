"""Swagger UI's "Try it out" works out of the box: every operation, sent with the examples openapi.yaml fills
in, succeeds against a fresh mock with the default seed and fixtures (creates first, deletes last)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from sendkit_mock import ManualClock, Settings, create_mock
from sendkit_mock.delivery.senders import RecordingSender
from sendkit_mock.resources import spec_path

from ..conftest import WS_KEY

SPEC: dict[str, Any] = yaml.safe_load(spec_path().read_text())
ORDER = {"post": 0, "put": 1, "get": 2, "patch": 3, "delete": 4}


def _param(ref_or_param: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in ref_or_param:
        return SPEC["components"]["parameters"][ref_or_param["$ref"].rsplit("/", 1)[-1]]  # type: ignore[no-any-return]
    return ref_or_param


def _as_swagger_ui_sends(path: str, method: str) -> dict[str, Any]:
    """Swagger UI fills each parameter with its example (or its schema's) and the body with the example."""
    op = SPEC["paths"][path][method]
    url, query, headers = path, {}, {"X-Api-Key": WS_KEY}
    for param in map(_param, [*SPEC["paths"][path].get("parameters", []), *op.get("parameters", [])]):
        schema = param["schema"]
        if "$ref" in schema:
            schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        example = param.get("example", schema.get("example"))
        if example is None:
            continue
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", str(example))
        elif param["in"] == "query":
            query[param["name"]] = example
        else:
            headers[param["name"]] = str(example)
    request: dict[str, Any] = {"method": method.upper(), "url": url, "params": query, "headers": headers}
    if "requestBody" in op:
        request["json"] = op["requestBody"]["content"]["application/json"]["example"]
    return request


WIPES = {("post", "/__mock/reset"), ("put", "/__mock/state")}  # they start the session over: tried last
OPERATIONS = sorted(
    ((path, method) for path, item in SPEC["paths"].items() for method in item if method in ORDER),
    key=lambda pm: ((pm[1], pm[0]) in WIPES, ORDER[pm[1]], pm[0].count("{"), pm[0]),
)


@pytest.fixture(scope="module")
def answers() -> dict[str, Any]:
    """Each operation's answer, sent in the order a person trying the API would."""
    mock = create_mock(Settings(), clock=ManualClock(), sender=RecordingSender())
    out = {}
    with mock.app.test_client() as client:
        for path, method in OPERATIONS:
            out[f"{method.upper()} {path}"] = client.request(**_as_swagger_ui_sends(path, method))
            mock.advance(0.5)  # the example report is still running when PUT forces it
    return out


@pytest.mark.parametrize("operation", [f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_the_operation_succeeds_with_the_examples_swagger_ui_fills_in(answers: dict[str, Any], operation: str) -> None:
    response = answers[operation]
    assert 200 <= response.status_code < 300, (operation, response.text)
