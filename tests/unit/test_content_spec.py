"""The `data` schema in openapi.yaml: labelled as inferred, closed, and every field described with an example."""

from collections.abc import Iterator
from typing import Any

import yaml

from sendkit_mock.resources import spec_path

SCHEMAS: dict[str, Any] = yaml.safe_load(spec_path().read_text())["components"]["schemas"]


def reachable(name: str, seen: set[str] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object under components/schemas/<name>, following $refs once each."""
    seen = set() if seen is None else seen
    if name in seen:
        return
    seen.add(name)
    stack: list[tuple[str, Any]] = [(name, SCHEMAS[name])]
    while stack:
        where, node = stack.pop()
        if "$ref" in node:
            yield from reachable(node["$ref"].split("/")[-1], seen)
            continue
        yield where, node
        stack += [(f"{where}.{key}", value) for key, value in node.get("properties", {}).items()]
        if "items" in node:
            stack.append((f"{where}[]", node["items"]))


def test_report_data_is_nullable_and_labelled_inferred_with_a_reason() -> None:
    data = SCHEMAS["ReportData"]
    assert data["nullable"] is True and data["type"] == "object"
    assert data["x-sendkit-inferred"] is True and data["x-sendkit-inferred-reason"]
    assert "**Inferred**" in data["description"]


def test_every_object_under_report_data_is_closed() -> None:
    objects = [(where, node) for where, node in reachable("ReportData") if node.get("type") == "object"]
    assert len(objects) > 10
    assert all(node.get("additionalProperties") is False for _, node in objects), [w for w, n in objects]


def test_every_field_under_report_data_is_described_with_an_example() -> None:
    for where, node in reachable("ReportData"):
        if where.endswith("[]"):  # array items: their array says what they are
            continue
        assert node.get("description") or where == "ObjectId", where  # the shared id schema has its example
        if node.get("type") != "object" and not (node.get("type") == "array" and "$ref" in node["items"]):
            assert "example" in node, where
