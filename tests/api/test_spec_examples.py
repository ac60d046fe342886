"""Swagger UI's "Try it out" works out of the box: every operation of both documents (SendKit's and the
mock's own API), sent with the examples they fill in, succeeds against a fresh mock with the default seed and fixtures (creates first, deletes last)."""

from __future__ import annotations

from typing import Any

import pytest

from sendkit_mock import ManualClock, Settings, create_mock
from sendkit_mock.delivery.senders import RecordingSender
from sendkit_mock.resources import spec_path
from sendkit_mock.spec import Operation, OperationIndex, deref, load

from ..conftest import WS_KEY

INDEX = OperationIndex(load(spec_path()))  # both documents: SendKit's, then the mock's own API
ORDER = {"POST": 0, "PUT": 1, "GET": 2, "PATCH": 3, "DELETE": 4}


def _as_swagger_ui_sends(operation: Operation) -> dict[str, Any]:
    """Swagger UI fills each parameter with its example (or its schema's) and the body with the example."""
    document = operation.document.document
    url, query, headers = operation.template, {}, {"X-Api-Key": WS_KEY}
    for param in operation.parameters:
        schema = deref(document, param["schema"])
        example = param.get("example", schema.get("example"))
        if example is None:
            continue
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", str(example))
        elif param["in"] == "query":
            query[param["name"]] = example
        else:
            headers[param["name"]] = str(example)
    request: dict[str, Any] = {"method": operation.method, "url": url, "params": query, "headers": headers}
    if "requestBody" in operation.spec:
        request["json"] = deref(document, operation.spec["requestBody"])["content"]["application/json"]["example"]
    return request


WIPES = {"mockReset", "mockReplaceState", "mockClearStubs"}  # they start the session (or its stubs) over: last
OPERATIONS = sorted(INDEX.by_id.values(), key=lambda op: (op.operation_id in WIPES, ORDER[op.method],
                                                           op.template.count("{"), op.template))


@pytest.fixture(scope="module")
def answers() -> dict[str, Any]:
    """Each operation's answer, sent in the order a person trying the API would."""
    mock = create_mock(Settings(), clock=ManualClock(), sender=RecordingSender())
    out = {}
    with mock.app.test_client() as client:
        for operation in OPERATIONS:
            out[operation.label] = client.request(**_as_swagger_ui_sends(operation))
            mock.advance(0.5)  # the example report is still running when PUT forces it
    return out


@pytest.mark.parametrize("operation", [op.label for op in OPERATIONS])
def test_the_operation_succeeds_with_the_examples_swagger_ui_fills_in(answers: dict[str, Any], operation: str) -> None:
    response = answers[operation]
    assert 200 <= response.status_code < 300, (operation, response.text)
