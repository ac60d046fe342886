"""The contract is served as written, the home page leads to the docs, and CORS speaks the contract's methods."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from ruamel.yaml import YAML

from sendkit_mock.resources import spec_path

FILE: dict[str, Any] = yaml.safe_load(spec_path().read_text())


def _without_servers(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "servers"}


def test_openapi_json_is_the_file_with_a_server_entry_naming_this_mock(client: Any) -> None:
    response = client.get("/openapi.json", headers={"Host": "127.0.0.1:4321"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    served = response.json()
    assert _without_servers(served) == _without_servers(FILE)  # $refs and named types kept, nothing inlined
    assert served["servers"][0]["url"] == "http://127.0.0.1:4321"
    assert '"$ref": "#/components/schemas/Report"' in response.text


def test_openapi_yaml_is_the_file_as_written_with_the_same_server_entry(client: Any) -> None:
    response = client.get("/openapi.yaml", headers={"Host": "localhost:4010"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/yaml")
    strict = YAML(typ="safe", pure=True)
    served = strict.load(response.text)
    assert _without_servers(served) == _without_servers(FILE)
    assert served["servers"] == [{"url": "http://localhost:4010",
                                  "description": "this mock (the real API lives at https://api.sendkit.ai)"}]
    def rest(text: str) -> str:  # everything but the servers block, to the byte: comments and layout kept
        return re.sub(r"^servers:\n(?:[ -].*\n)*", "", text, flags=re.M)

    assert rest(response.text) == rest(spec_path().read_text())


def test_a_host_header_unfit_for_a_url_is_not_echoed(client: Any) -> None:
    served = client.get("/openapi.json", headers={"Host": "evil\"><script>"}).json()
    assert served["servers"][0]["url"].startswith("http://") and "<" not in served["servers"][0]["url"]


def test_swagger_ui_offers_both_documents_sendkits_first(client: Any) -> None:
    page = client.get("/ui/")
    assert page.status_code == 200
    urls = json.loads(re.search(r"urls: (\[.*?\]),", page.text).group(1))  # type: ignore[union-attr]
    assert urls == [{"url": "/openapi.json", "name": "SendKit Reports API"},
                    {"url": "/__mock/openapi.json", "name": "sendkit-mock control plane"}]


def test_openapi_yaml_is_sendkits_contract_and_nothing_of_the_mock() -> None:
    text = spec_path().read_text()
    assert not [p for p in FILE["paths"] if not p.startswith("/v1/")]
    assert "x-mock-only" not in text and "X-Mock-Session" not in text and "Mock control" not in text
    parameters = [p.get("name") for item in FILE["paths"].values() for op in item.values() if isinstance(op, dict)
                  for p in op.get("parameters", [])] + [p["name"] for p in FILE["components"]["parameters"].values()]
    assert not {"Prefer", "X-Mock-Session", "X-Mock-Admin-Token"} & set(parameters)


@pytest.mark.parametrize("kind", ["json", "yaml"])
def test_the_mocks_own_api_is_served_whole_under_its_base_path(client: Any, kind: str) -> None:
    response = client.get(f"/__mock/openapi.{kind}", headers={"Host": "127.0.0.1:4321"})
    assert response.status_code == 200
    served = response.json() if kind == "json" else YAML(typ="safe", pure=True).load(response.text)
    assert served["servers"][0]["url"] == "http://127.0.0.1:4321/__mock"
    assert served["info"]["title"] == "sendkit-mock control plane"
    assert {op["operationId"] for item in served["paths"].values() for op in item.values()
            if isinstance(op, dict) and "operationId" in op} >= {"mockServer", "mockReset", "mockState"}
    # self-contained: every reference names a component the document itself holds (SendKit's are bundled in)
    refs = set(re.findall(r"#/components/(\w+)/(\w+)", json.dumps(served)))
    assert refs and all(name in served["components"][kind_] for kind_, name in refs)
    assert "Report" in served["components"]["schemas"] and "ApiKeyAuth" in served["components"]["securitySchemes"]


@pytest.mark.parametrize(("path", "methods"), [
    ("/v1/reports", "GET, HEAD, POST"),
    ("/v1/reports/5fd99d2f5f9abfeb15dcfcb8", "DELETE, GET, HEAD"),
    ("/v1/webhooks/5fd99d2f5f9abfeb15dcfcb8/test", "POST"),
    ("/v1/reports/recipients/666f1a2b3c4d5e6f7a8b9c20", "DELETE, GET, HEAD, PATCH"),
])
def test_a_preflight_lists_the_methods_the_contract_has_for_the_path(client: Any, path: str, methods: str) -> None:
    first = methods.split(", ")[0]
    ok = client.options(path, headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": first})
    assert ok.status_code == 200 and ok.headers["access-control-allow-methods"] == methods
    for absent in ("PUT", "QUERY"):
        refused = client.options(path, headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": absent})
        assert refused.status_code == 400


def test_a_browser_reads_the_allow_header_of_a_405(client: Any) -> None:
    response = client.put("/v1/reports", headers={"Origin": "http://localhost:5173"})
    assert response.status_code == 405 and response.headers["access-control-allow-origin"] == "*"
    assert "Allow" in response.headers["access-control-expose-headers"]
    assert json.loads(response.text)["code"] == 405
