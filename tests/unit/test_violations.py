"""Validation as the contract means it: ECMA-262 patterns, field names from structured error data, and a
strict `date` that stays the mock's own (jsonschema's checker, shared by the whole process, is untouched)."""

from typing import Any

import pytest
from jsonschema import Draft4Validator

from sendkit_mock.errors import Detail
from sendkit_mock.web.validation import FORMATS, BodySchemaValidator, details_of


def problems(schema: dict[str, Any], instance: Any) -> list[Detail]:
    return details_of(BodySchemaValidator(schema, format_checker=FORMATS), instance)


@pytest.mark.parametrize(("pattern", "text", "ok"), [
    (r"^https?://[^\s/?#]+[^\s]*$", "http://a\x1fb", True),  # ECMA's \s has no \x1c-\x1f (Python's has)
    (r"^https?://[^\s/?#]+[^\s]*$", "http://a\ufeffb", False),  # and has U+FEFF (Python's has not)
    (r"^\d+$", "١٢٣", False),  # ECMA's \d is ASCII only
    (r"^a.b$", "a\rb", False),  # ECMA's `.` takes no line terminator (Python's takes \r)
    (r"^ab$", "ab\n", False),  # ECMA's `$` is the end (Python's also matches before a final newline)
    (r"\bfoo", "éfoo", True),  # ECMA's \b is ASCII: é is no word character
    (r"^(?<word>[a-z]+)$", "abc", True),  # a named group, ECMA's syntax (Python's re refuses it)
    (r"^[^]$", "x", True),  # [^] is any character in ECMA
])
def test_patterns_are_read_as_ecma_262(pattern: str, text: str, ok: bool) -> None:
    found = problems({"type": "object", "properties": {"v": {"type": "string", "pattern": pattern}}}, {"v": text})
    assert (found == []) is ok, found


def test_field_names_come_from_the_schema_and_the_body_not_from_messages() -> None:
    schema = {"type": "object", "additionalProperties": False, "required": ["it's", "a (b)", "plain"],
              "properties": {"it's": {}, "a (b)": {}, "plain": {}, "nested": {"type": "object",
                             "properties": {}, "additionalProperties": False}}}
    found = problems(schema, {"odd 'quoted' (name)": 1, "x, y": 2, "nested": {"z'": 3, "w": 4}})
    assert set(found) == set([
        Detail("a (b)", "Is required"), Detail("it's", "Is required"), Detail("plain", "Is required"),
        Detail("odd 'quoted' (name)", "Is not an allowed property"), Detail("x, y", "Is not an allowed property"),
        Detail("nested.z'", "Is not an allowed property"), Detail("nested.w", "Is not an allowed property"),
    ]) and len(found) == 7


def test_a_strict_date_without_changing_jsonschemas_own_checker() -> None:
    schema = {"type": "string", "format": "date"}
    assert problems(schema, "20240101") == [Detail("body", "Must be a valid date")]
    assert problems(schema, "2024-01-01") == []
    assert Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER).is_valid("20240101")
    assert "date" in FORMATS.checkers and "date" not in Draft4Validator.FORMAT_CHECKER.checkers
