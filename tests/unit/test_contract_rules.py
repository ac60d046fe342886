"""The contract's rules across fields, as `sendkit-mock contract` keeps them in positive cases."""

from __future__ import annotations

from typing import Any

import pytest

from sendkit_mock.contract.rules import keep_order, ordered_pairs
from sendkit_mock.resources import spec_path
from sendkit_mock.spec import load


def create_pairs() -> list[tuple[str, str]]:
    document: dict[str, Any] = load(spec_path()).sendkit.document
    body = document["paths"]["/v1/reports"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return ordered_pairs(body, document)


def test_the_contract_marks_the_period_order_for_tools() -> None:
    assert create_pairs() == [("periodEnd", "periodStart")]


@pytest.mark.parametrize(("body", "end"), [
    ({"periodStart": "2026-05-01", "periodEnd": "2026-04-01"}, "2026-05-01"),
    ({"periodStart": "2026-04-02T12:00:00Z", "periodEnd": "2026-04-01"}, "2026-04-02T12:00:00Z"),
    ({"periodStart": "2090-01-01"}, "2090-01-01"),  # left out, SendKit takes today: a later start is refused
    ({"periodStart": "2026-04-01", "periodEnd": "2026-04-01"}, "2026-04-01"),
    ({"periodStart": "2026-04-01T00:00:00Z", "periodEnd": "2026-03-31"}, "2026-03-31"),  # covers to 04-01
    ({"periodStart": "2026-01-01", "periodEnd": "2026-04-17"}, "2026-04-17"),
])
def test_a_positive_case_gets_its_bounds_in_order_and_nothing_else(body: dict[str, Any], end: str) -> None:
    kept = dict(body)
    keep_order(kept, create_pairs())
    assert kept == {**body, "periodEnd": end}


def test_a_body_without_the_earlier_field_is_left_as_generated() -> None:
    body: dict[str, Any] = {"periodEnd": "2026-04-01", "reportType": "workspace"}
    keep_order(body, create_pairs())
    assert body == {"periodEnd": "2026-04-01", "reportType": "workspace"}
