"""One spec layer: both documents loaded once, one operation index, one way to read a path template."""

from __future__ import annotations

import re

import pytest

from sendkit_mock.resources import spec_path
from sendkit_mock.spec import Document, OperationIndex, load, template_pattern
from sendkit_mock.spec.documents import bundle


def test_both_documents_are_loaded_once_per_version_of_their_files() -> None:
    assert load(spec_path()) is load(spec_path())


def test_the_index_holds_every_operation_of_both_documents_under_its_served_path() -> None:
    documents = load(spec_path())
    index = OperationIndex(documents)
    assert index.by_id["createReport"].template == "/v1/reports"
    assert index.by_id["mockReset"].template == "/__mock/reset"  # the mock's base path and its template
    assert index.by_id["mockReset"].document is documents.mock
    assert len(index.by_id) == len(index.of(documents.sendkit)) + len(index.of(documents.mock))


@pytest.mark.parametrize(("method", "path", "found"), [
    ("GET", "/v1/reports/recipients", "listRecipients"),  # the literal segment before /v1/reports/{id}
    ("GET", "/v1/reports/5fd99d2f5f9abfeb15dcfcb8", "getReport"),
    ("HEAD", "/v1/reports/5fd99d2f5f9abfeb15dcfcb8", "getReport"),
    ("DELETE", "/v1/reports/recipients", None),  # not DELETE /v1/reports/{id} with the id "recipients"
    ("PUT", "/__mock/reports/5fd99d2f5f9abfeb15dcfcb8/status", "mockForceReportStatus"),
    ("GET", "/v1/reports/a/b", None),  # a parameter is one segment
    ("GET", "/nowhere", None),
])
def test_an_operation_is_found_by_method_and_path(method: str, path: str, found: str | None) -> None:
    operation = OperationIndex(load(spec_path())).operation(method, path)
    assert (operation.operation_id if operation else None) == found


def test_a_route_names_its_methods_and_its_path_values() -> None:
    route = OperationIndex(load(spec_path())).route("/v1/reports/recipients/666f1a2b3c4d5e6f7a8b9c20")
    assert route is not None and route.allow == "DELETE, GET, HEAD, PATCH"
    assert route.values("/v1/reports/recipients/666f1a2b3c4d5e6f7a8b9c20") == {"id": "666f1a2b3c4d5e6f7a8b9c20"}


def test_a_template_is_literal_but_for_its_parameters() -> None:
    pattern = re.compile(template_pattern("/v1/a.b+/{id}/x(y)"))
    assert pattern.fullmatch("/v1/a.b+/42/x(y)")
    assert not pattern.fullmatch("/v1/aXbb/42/x(y)") and not pattern.fullmatch("/v1/a.b+/4/2/x(y)")
    assert re.compile(template_pattern("/v1/{odd-name}/{1st}")).fullmatch("/v1/a/b")


def test_the_mocks_api_takes_sendkits_components_it_uses_and_refuses_a_clash() -> None:
    sendkit = {"components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"type": "string"},
                                          "Unused": {}}}}
    mine = {"paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/A"}}}}}}}}}
    bundled = bundle(mine, sendkit)
    assert set(bundled["components"]["schemas"]) == {"A", "B"}  # what it uses, and what that uses
    with pytest.raises(ValueError, match=r"defines schemas \['B'\] that openapi.yaml defines too"):
        bundle({**mine, "components": {"schemas": {"B": {"type": "integer"}}}}, sendkit)
    with pytest.raises(ValueError, match="points at nothing"):
        bundle({"paths": {"/y": {"$ref": "#/components/schemas/Missing"}}}, sendkit)


def test_a_document_without_servers_is_served_with_one() -> None:
    document = Document("t", "openapi: 3.0.3\npaths: {}\n", {"openapi": "3.0.3", "paths": {}})
    assert document.as_yaml("http://h:1").startswith(b'servers:\n  - url: "http://h:1"')
