"""Every error in SendKit's shape, as application/json: never a stack trace, HTML or problem+json."""

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest

from sendkit_mock import ManualClock, Settings, create_mock
from sendkit_mock.domain.stores import SessionStores
from sendkit_mock.stores.memory import InMemoryReportStore, InMemoryStores

from ..conftest import SEED_BODY, ws


def assert_error(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["error"] == error and body["code"] == status and isinstance(body["message"], str)
    assert set(body) <= {"error", "message", "code", "details"}
    return body


def test_unknown_route_is_404(client: Any) -> None:
    assert_error(client.get("/v1/nothing-here", headers=ws()), 404, "Not Found")


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("put", "/v1/reports", {"GET", "HEAD", "POST"}),
    ("patch", "/v1/reports/" + "a" * 24, {"DELETE", "GET", "HEAD"}),
])
def test_wrong_method_is_405_with_allow(client: Any, method: str, path: str, allow: set[str]) -> None:
    response = getattr(client, method)(path, headers=ws())
    assert_error(response, 405, "Method Not Allowed")
    assert {m.strip() for m in response.headers["allow"].split(",")} == allow


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_json_is_415(client: Any, content_type: str | None) -> None:
    headers = ws(**({"Content-Type": content_type} if content_type else {}))
    assert_error(client.post("/v1/reports", content=b"reportType=workspace", headers=headers), 415, "Unsupported Media Type")


@pytest.mark.parametrize(("raw", "message"), [
    (b'{"reportType": "workspace",', "Malformed JSON"),
    (b"\xff\xfe{}", "not valid utf-8"),
    (b"", "A JSON body is required"),
    (b"[1, 2]", "Must be of type object"),
    (b"[" * 5000 + b"]" * 5000, "more than 64 levels deep"),  # was a 500 (RecursionError)
    (b'{"a":' * 3000 + b"1" + b"}" * 3000, "more than 64 levels deep"),
    (b"[" * 65 + b"]" * 65, "more than 64 levels deep"),  # parses, but too deep to carry on with
    (b'{"reportType": "workspace", "x": ' + b"1" * 5000 + b"}", "longer than 100 characters"),  # was a 500
    (b'{"reportType": "workspace", "x": 0.' + b"5" * 200 + b"}", "longer than 100 characters"),
    (b'{"reportType": NaN}', "NaN is not a JSON value"),
])
def test_bad_json_bodies_are_400_naming_the_body(client: Any, raw: bytes, message: str) -> None:
    body = assert_error(client.post("/v1/reports", content=raw, headers=ws(**{"Content-Type": "application/json"})),
                        400, "Bad Request")
    assert body["details"][0]["field"] == "body" and message in body["details"][0]["message"]
    assert client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).status_code == 201


def test_a_body_64_levels_deep_is_read_and_refused_field_by_field(client: Any) -> None:
    nested: Any = "x"
    for _ in range(62):
        nested = [nested]
    body = assert_error(client.post("/v1/reports", json={"reportType": "workspace", "sections": nested},
                                    headers=ws()), 400, "Bad Request")
    assert body["details"] == [{"field": "sections", "message": "Must be of type object"}]


def test_bodies_over_the_limit_are_413_declared_or_streamed() -> None:
    mock = create_mock(Settings(max_body_bytes=1000), clock=ManualClock())
    with mock.app.test_client() as client:
        big = b'{"reportType": "workspace", "pad": "' + b"x" * 2000 + b'"}'
        headers = ws(**{"Content-Type": "application/json"})
        refused = assert_error(client.post("/v1/reports", content=big, headers=headers), 413, "Payload Too Large")
        assert refused["message"] == "The request body is larger than the 1,000 bytes this mock takes"
        assert refused["details"] == [{"field": "body", "message": "At most 1,000 bytes"}]

        def chunks() -> Iterator[bytes]:
            yield big[:600]
            yield big[600:]

        assert_error(client.post("/v1/reports", content=chunks(), headers=headers), 413, "Payload Too Large")


@pytest.mark.parametrize("path", ["/v1/reports/abc%0A", "/v1/reports/%00", "/v1/rep%1Borts"])
def test_control_characters_in_the_path_are_404(client: Any, path: str) -> None:
    assert_error(client.get(path, headers=ws()), 404, "Not Found")


def test_query_problems_are_listed_together(client: Any) -> None:
    body = assert_error(client.get("/v1/reports?limit=500&status=done&colour=red", headers=ws()), 400, "Bad Request")
    assert {d["field"] for d in body["details"]} == {"limit", "status", "colour"}


def test_a_malformed_workspace_header_or_id_is_400(client: Any) -> None:
    body = assert_error(client.get("/v1/reports/xyz", headers=ws(**{"X-Workspace-Id": "nope"})), 400, "Bad Request")
    assert {d["field"] for d in body["details"]} == {"id", "X-Workspace-Id"}


class BrokenStore(InMemoryReportStore):
    def get(self, report_id: str) -> None:
        raise RuntimeError("disk on fire: secret internals")


def test_an_unexpected_error_is_a_logged_500_without_the_trace(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(InMemoryStores):
        def __call__(self, session: str, *, fresh: bool = True) -> SessionStores:
            return dataclasses.replace(super().__call__(session), reports=BrokenStore())

    mock = create_mock(Settings(), clock=ManualClock(), stores=Broken())
    with mock.app.test_client() as client:
        body = assert_error(client.get("/v1/reports/" + "a" * 24, headers=ws()), 500, "Internal Server Error")
    assert "secret" not in str(body) and "Traceback" not in str(body)
    assert any("disk on fire" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_cors_lets_a_browser_call_the_api(client: Any) -> None:
    preflight = client.options("/v1/reports", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-api-key,content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")
    response = client.post("/v1/reports", json=SEED_BODY, headers=ws(Origin="http://localhost:5173"))
    assert response.headers["access-control-allow-origin"] == "*"
    denied = client.get("/v1/reports", headers={"Origin": "http://localhost:5173"})
    assert denied.status_code == 401 and denied.headers["access-control-allow-origin"] == "*"


def test_the_contract_and_swagger_ui_are_served(client: Any) -> None:
    spec = client.get("/openapi.json")
    assert spec.status_code == 200 and spec.json()["openapi"] == "3.0.3"
    ui = client.get("/ui/")
    assert ui.status_code == 200 and "swagger" in ui.text.lower()


def test_head_answers_like_get_without_a_body(client: Any) -> None:
    response = client.head("/v1/reports", headers=ws())
    assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize(("body", "field"), [
    ('{"reportType": "\\ud800"}', "reportType"),  # an enum
    ('{"reportType": "campaign", "campaignIds": ["\\udfff"]}', "campaignIds[0]"),  # a pattern
    ('{"reportType": "workspace", "periodStart": "2026-01-01\\ud800"}', "periodStart"),  # a format
    ('{"reportType": "workspace", "\\ud800x": 1}', "\\udcedx"),  # a key (named in its UTF-8 escape)
])
def test_a_lone_surrogate_is_a_400_naming_where_it_is(client: Any, body: str, field: str) -> None:
    response = client.post("/v1/reports", content=body.encode(), headers={**ws(), "Content-Type": "application/json"})
    error = assert_error(response, 400, "Bad Request")
    assert error["details"][0]["field"].startswith(field[:2]) and "lone surrogate" in error["details"][0]["message"]


def test_a_paired_surrogate_escape_is_a_character_like_any_other(client: Any) -> None:
    body = {"name": "Ops \U0001F4C8", "email": "ops@example.com", "reportType": "workspace"}
    raw = json.dumps(body).encode()  # ensure_ascii: the emoji as the pair \ud83d\udcc8
    response = client.post("/v1/reports/recipients", content=raw, headers={**ws(), "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert response.json()["data"]["name"] == "Ops \U0001F4C8"


@pytest.mark.parametrize("charset", ["bogus", "utf-16", "latin-1", '"UTF-16LE"'])
def test_json_in_a_charset_other_than_utf8_is_415_naming_content_type(client: Any, charset: str) -> None:
    response = client.post("/v1/reports", content=json.dumps(SEED_BODY).encode(),
                           headers={**ws(), "Content-Type": f"application/json; charset={charset}"})
    error = assert_error(response, 415, "Unsupported Media Type")
    assert error["details"] == [{"field": "Content-Type", "message": "charset must be utf-8 or left out"}]
    assert client.get("/v1/reports", headers=ws()).json()["pagination"]["total"] == 0


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", '"utf-8"', "utf8"])
def test_json_declared_as_utf8_is_taken(client: Any, charset: str) -> None:
    response = client.post("/v1/reports", content=json.dumps(SEED_BODY).encode(),
                           headers={**ws(), "Content-Type": f"application/json; charset={charset}"})
    assert response.status_code == 201, response.text


def test_a_leap_second_is_an_instant_the_clock_can_be_set_to(client: Any) -> None:
    response = client.post("/__mock/clock", json={"set": "2026-12-31T23:59:60Z"})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["now"] == "2027-01-01T00:00:00.000Z"


@pytest.mark.parametrize("written", ["%2B1", "+1+", "%EF%BC%91", "1_000", "1.0", "0x1"])
def test_an_integer_parameter_is_ascii_digits_as_written(client: Any, written: str) -> None:
    """Python's int() took "+1", " 1 ", "1_000" and a full-width "１" as numbers; a client sending them would
    pass here and fail against SendKit."""
    error = assert_error(client.get(f"/v1/reports?limit={written}", headers=ws()), 400, "Bad Request")
    assert error["details"] == [{"field": "limit", "message": "Must be an integer"}]


def test_a_prefer_header_over_1024_characters_is_a_400_naming_it(client: Any) -> None:
    error = assert_error(client.get("/v1/reports", headers={**ws(), "Prefer": "code=200, " + "x" * 1_100}), 400,
                         "Bad Request")
    assert error["details"] == [{"field": "Prefer", "message": "At most 1,024 characters"}]


def test_a_failure_in_the_mocks_own_layers_is_a_500_in_sendkits_shape(client: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside connexion's handlers (here the simulation, and the journal's recorder after the answer) a
    failure reached uvicorn's plain-text 500."""
    import sendkit_mock.web.recorder as recorder
    import sendkit_mock.web.simulator as simulator

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a layer broke")

    monkeypatch.setattr(simulator.preferences, "parse", broken)
    assert_error(client.get("/v1/reports", headers=ws()), 500, "Internal Server Error")
    monkeypatch.undo()
    monkeypatch.setattr(recorder, "_entry", broken)
    assert client.get("/v1/reports", headers=ws()).status_code == 200  # the answer was out: it stands


@pytest.mark.parametrize("delay", ["%C2%B2", "%EF%BC%95", "%D9%A5"])  # ², a full-width 5, an Arabic-Indic 5
def test_a_delay_in_digits_other_than_ascii_is_a_400_naming_prefer(client: Any, delay: str) -> None:
    error = assert_error(client.get(f"/v1/reports?__delay={delay}", headers=ws()), 400, "Bad Request")
    assert error["details"][0]["field"] == "Prefer"


def test_a_refused_cors_preflight_is_a_400_in_sendkits_shape(client: Any) -> None:
    """Starlette answered "Disallowed CORS method" as plain text."""
    answer = client.options("/v1/reports", headers={"Origin": "https://app.example",
                                                    "Access-Control-Request-Method": "FOO"})
    error = assert_error(answer, 400, "Bad Request")
    assert error["details"] == [{"field": "Access-Control-Request-Method", "message": "Disallowed CORS method"}]
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD, POST"  # what it may ask instead
