"""Keys, scopes and tenant isolation: nobody sees a report that is not theirs."""

from typing import Any

import pytest

from ..conftest import (
    OTHER_PLATFORM_KEY,
    OTHER_WS_ID,
    OTHER_WS_KEY,
    PLATFORM_KEY,
    SEED_BODY,
    WS2_ID,
    WS2_KEY,
    WS_ID,
    WS_KEY,
    ws,
)


def create(client: Any, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
    return client.post("/v1/reports", json=body or {"reportType": "workspace"}, headers=headers)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Api-Key": ""},
        {"X-Api-Key": "not-a-key"},
        {"X-Api-Key": "sk_" + "0" * 48},
        {"Authorization": "Bearer sk_user_" + "0" * 48},
        {"Authorization": "Basic " + WS_KEY},
        {"Authorization": WS_KEY},
    ],
)
def test_missing_empty_malformed_or_unknown_keys_are_401(client: Any, headers: dict[str, str]) -> None:
    response = create(client, headers)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Invalid or missing API key", "code": 401}


def test_security_runs_before_body_validation(client: Any) -> None:
    assert client.post("/v1/reports", json={"bogus": 1}, headers={"X-Api-Key": "nope"}).status_code == 401


def test_bearer_and_header_authenticate_the_same_key(client: Any) -> None:
    assert create(client, {"Authorization": f"Bearer {WS_KEY}"}).status_code == 201
    assert create(client, {"X-Api-Key": WS_KEY}).status_code == 201
    assert client.get("/v1/reports", headers={"Authorization": f"Bearer {WS_KEY}"}).json()["pagination"]["total"] == 2


@pytest.mark.parametrize(("headers", "status"), [
    ({"X-Api-Key": WS_KEY, "Authorization": "Bearer sk_user_junk"}, 200),
    ({"X-Api-Key": WS_KEY, "Authorization": "Basic dXNlcjpwYXNz"}, 200),
    ({"X-Api-Key": "sk_junk", "Authorization": f"Bearer {WS_KEY}"}, 200),
    ({"X-Api-Key": WS_KEY, "Authorization": f"Bearer {OTHER_WS_KEY}"}, 200),  # X-Api-Key first: Brightwave's list
    ({"X-Api-Key": "sk_junk", "Authorization": "Bearer sk_user_junk"}, 401),
], ids=["key+junk-bearer", "key+basic", "junk-key+bearer", "two-valid-keys", "neither-valid"])
def test_with_both_headers_the_first_known_key_is_used_as_the_spec_says(client: Any, headers: dict[str, str],
                                                                        status: int) -> None:
    created = client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws()).json()["data"]["reports"]
    response = client.get("/v1/reports", headers=headers)
    assert response.status_code == status
    if status == 200:
        assert [r["id"] for r in response.json()["data"]] == [created[0]["id"]]


def test_a_workspace_key_naming_its_own_workspace_is_fine_another_is_403(client: Any) -> None:
    assert create(client, ws(**{"X-Workspace-Id": WS_ID})).status_code == 201
    response = create(client, ws(**{"X-Workspace-Id": WS2_ID}))
    assert response.status_code == 403 and response.json()["error"] == "Forbidden"


def test_a_platform_key_needs_x_workspace_id_of_an_owned_workspace(client: Any) -> None:
    missing = create(client, {"X-Api-Key": PLATFORM_KEY})
    assert missing.status_code == 400
    assert [d["field"] for d in missing.json()["details"]] == ["X-Workspace-Id"]
    assert create(client, {"X-Api-Key": PLATFORM_KEY, "X-Workspace-Id": OTHER_WS_ID}).status_code == 403
    assert create(client, {"X-Api-Key": PLATFORM_KEY, "X-Workspace-Id": "f" * 24}).status_code == 403
    made = create(client, {"X-Api-Key": PLATFORM_KEY, "X-Workspace-Id": WS2_ID}, SEED_BODY | {"campaignIds": ["664f0a1b2c3d4e5f6a7b8d01"]})
    assert made.status_code == 201 and made.json()["data"]["reports"][0]["title"] == "Reseller Recruitment Report"


def test_organizational_reports_need_a_platform_key(client: Any) -> None:
    response = create(client, ws(), {"reportType": "organizational"})
    assert response.status_code == 403
    assert create(client, {"X-Api-Key": PLATFORM_KEY}, {"reportType": "organizational"}).status_code == 201


def test_a_report_is_invisible_to_every_key_outside_its_scope(client: Any) -> None:
    rid = create(client, ws()).json()["data"]["reports"][0]["id"]
    owner_platform = {"X-Api-Key": PLATFORM_KEY, "X-Workspace-Id": WS_ID}
    assert client.get(f"/v1/reports/{rid}", headers=owner_platform).status_code == 200
    for outsider in (ws(WS2_KEY), ws(OTHER_WS_KEY), {"X-Api-Key": PLATFORM_KEY},
                     {"X-Api-Key": PLATFORM_KEY, "X-Workspace-Id": WS2_ID}):
        got = client.get(f"/v1/reports/{rid}", headers=outsider)
        assert got.status_code == 404
        assert got.json() == {"error": "Not Found", "message": "The requested resource was not found", "code": 404,
                              "details": [{"field": "id", "message": f"No report {rid} that this key can read"}]}
        assert client.delete(f"/v1/reports/{rid}", headers=outsider).status_code == 404
        assert client.get("/v1/reports", headers=outsider).json()["data"] == []
    other_platform = {"X-Api-Key": OTHER_PLATFORM_KEY, "X-Workspace-Id": WS_ID}
    assert client.get(f"/v1/reports/{rid}", headers=other_platform).status_code == 403
    assert client.get(f"/v1/reports/{rid}", headers=ws()).status_code == 200  # still there for its owner


def test_organizational_reports_are_seen_by_their_user_only(client: Any) -> None:
    mine = {"X-Api-Key": PLATFORM_KEY}
    rid = create(client, mine, {"reportType": "organizational"}).json()["data"]["reports"][0]["id"]
    assert client.get(f"/v1/reports/{rid}", headers=mine).status_code == 200
    assert [r["id"] for r in client.get("/v1/reports", headers=mine).json()["data"]] == [rid]
    assert client.get(f"/v1/reports/{rid}", headers={"X-Api-Key": OTHER_PLATFORM_KEY}).status_code == 404
    assert client.get(f"/v1/reports/{rid}", headers=ws()).status_code == 404
