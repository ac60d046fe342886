"""One way to follow a `$ref`, for every reader of the contract."""

from __future__ import annotations

import pytest

from sendkit_mock.spec import deref, resolved

DOCUMENT = {"components": {"schemas": {
    "#Hash": {"type": "string", "pattern": "^#"},  # a name that `lstrip("#/")` would have eaten into
    "a/b": {"type": "integer"},
    "Alias": {"$ref": "#/components/schemas/Id"},
    "Id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
    "Pair": {"type": "object", "properties": {"left": {"$ref": "#/components/schemas/Alias"},
                                              "both": {"type": "array", "items": {"$ref": "#/components/schemas/Id"}}}},
    "Loop": {"$ref": "#/components/schemas/Loop"},
}}}


def test_a_ref_is_a_json_pointer_from_the_documents_root() -> None:
    assert deref(DOCUMENT, {"$ref": "#/components/schemas/#Hash"}) == {"type": "string", "pattern": "^#"}
    assert deref(DOCUMENT, {"$ref": "#/components/schemas/a~1b"}) == {"type": "integer"}
    assert deref(DOCUMENT, {"$ref": "#/components/schemas/Alias"})["pattern"] == "^[0-9a-f]{24}$"
    assert deref(DOCUMENT, {"type": "boolean"}) == {"type": "boolean"}


def test_resolved_replaces_every_ref_all_the_way_down() -> None:
    pair = resolved(DOCUMENT, {"$ref": "#/components/schemas/Pair"})
    assert pair["properties"]["left"] == pair["properties"]["both"]["items"] == DOCUMENT["components"]["schemas"]["Id"]


@pytest.mark.parametrize(("ref", "said"), [
    ("#/components/schemas/Nope", "points at nothing"),
    ("other.yaml#/components/schemas/Id", "is not a reference inside this document"),
    ("#/components/schemas/Loop", "refers to itself"),
])
def test_a_ref_that_cannot_be_followed_is_named(ref: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        deref(DOCUMENT, {"$ref": ref})
