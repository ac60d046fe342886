"""The compiled response validator reads the contract as connexion does: `nullable`, formats, patterns."""

from typing import Any

import pytest
from connexion.json_schema import Draft4ResponseValidator
from jsonschema import Draft4Validator

from sendkit_mock.web.compiled import compiled, with_nullable

SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["id", "error"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
        "error": {"type": "object", "nullable": True, "properties": {"code": {"type": "string"}}},
        "status": {"type": "string", "enum": ["ready", "failed"], "nullable": True},
        "at": {"type": "string", "format": "date-time"},
        "example": {"type": "integer", "x-note": "a property named like a keyword"},
    },
}


@pytest.mark.parametrize("body", [
    {"id": "5fd99d2f5f9abfeb15dcfcb8", "error": None},
    {"id": "5fd99d2f5f9abfeb15dcfcb8", "error": {"code": "X"}, "status": None, "at": "2026-04-17T10:00:00Z"},
    {"id": "5fd99d2f5f9abfeb15dcfcb8", "error": None, "status": "done"},
    {"id": "5fd99d2f5f9abfeb15dcfcb8", "error": None, "at": "yesterday"},
    {"id": "nope", "error": None},
    {"id": "5fd99d2f5f9abfeb15dcfcb8"},
    {"id": "5fd99d2f5f9abfeb15dcfcb8", "error": None, "extra": 1},
    {"id": "5fd99d2f5f9abfeb15dcfcb8", "error": None, "example": "text"},
    {"id": "5fd99d2f5f9abfeb15dcfcb8", "error": 3},
])
def test_the_compiled_validator_agrees_with_connexions(body: dict[str, Any]) -> None:
    reference = Draft4ResponseValidator(SCHEMA, format_checker=Draft4Validator.FORMAT_CHECKER)
    assert compiled(SCHEMA).is_valid(body) == reference.is_valid(body)


def test_a_schema_that_contains_itself_is_left_to_connexion() -> None:
    tree: dict[str, Any] = {"type": "object", "properties": {}}
    tree["properties"]["child"] = tree
    assert compiled(tree) is None


def test_nullable_becomes_plain_json_schema() -> None:
    assert with_nullable({"type": "string", "nullable": True, "enum": ["a"]}) == {
        "type": ["string", "null"], "enum": ["a", None]}


def test_a_body_found_valid_once_is_not_walked_again_and_a_broken_one_always_is() -> None:
    import asyncio

    from connexion.exceptions import NonConformingResponseBody

    from sendkit_mock.web.responses import CompiledResponseBodyValidator

    def answer(body: bytes) -> None:
        validator = CompiledResponseBodyValidator({"type": "http"}, schema=SCHEMA, nullable=False, encoding="utf-8")
        sent: list[Any] = []

        async def send(message: Any) -> None:
            sent.append(message)

        async def run() -> None:
            wrapped = validator.wrap_send(send)
            await wrapped({"type": "http.response.start", "status": 200, "headers": []})
            await wrapped({"type": "http.response.body", "body": body})

        asyncio.run(run())
        assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]

    good, bad = b'{"id":"5fd99d2f5f9abfeb15dcfcb8","error":null}', b'{"id":"5fd99d2f5f9abfeb15dcfcb8"}'
    answer(good)
    answer(good)  # from the cache of valid answers
    for _ in range(2):
        with pytest.raises(NonConformingResponseBody, match="'error' is a required property"):
            answer(bad)


def test_an_answer_the_compiled_validator_refuses_is_refused_even_where_connexions_would_take_it() -> None:
    """connexion's Draft 4 knows no `format: date`; jsonschema-rs does. A date answered as lorem is a 500
    naming it, not an answer that slips through because the slower validator is more lenient."""
    from connexion.exceptions import NonConformingResponseBody

    from sendkit_mock.web.responses import CompiledResponseBodyValidator

    schema = {"type": "object", "properties": {"day": {"type": "string", "format": "date"}}}
    validator = CompiledResponseBodyValidator({"type": "http"}, schema=schema, encoding="utf-8")
    validator._digest = (id(schema), b"")
    validator._validate({"day": "2026-04-17"})
    with pytest.raises(NonConformingResponseBody, match="odit veniam.* at /day"):
        validator._validate({"day": "odit veniam"})
