"""What the journal, the state documents and the access log keep of a credential (credentials.py)."""

import pytest

from sendkit_mock.credentials import mask, masked_query


@pytest.mark.parametrize(("name", "value", "kept"), [
    ("X-Api-Key", "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68", "…9c68"),
    ("X-Mock-Admin-Token", "abc", "…"),  # a short secret keeps nothing: four characters would be all of it
    ("admin_token", "T", "…"),
    ("client_secret", "a-long-client-secret-value", "…alue"),
    ("limit", "25", "25"),
])
def test_a_credential_keeps_at_most_its_last_four_characters(name: str, value: str, kept: str) -> None:
    assert mask(name, value) == kept


def test_a_query_is_masked_however_a_name_is_spelled() -> None:
    assert masked_query("a=1&%61pi_key=T&token=x+y") == "a=1&%61pi_key=…&token=…"
    assert masked_query("limit=25&status=ready") == "limit=25&status=ready"


def test_a_kept_value_is_kept_as_it_is() -> None:
    for kept in ("…9c68", "…"):
        assert mask("X-Api-Key", kept) == kept  # a state document imported again
