from pathlib import Path

import pytest
import yaml

from sendkit_mock.domain.world import FixtureError, load_world
from sendkit_mock.resources import default_fixtures_path

from ..conftest import SEED_CAMPAIGNS


def test_default_world_has_two_owners_three_workspaces_and_the_seed_campaigns() -> None:
    world = load_world(default_fixtures_path())
    default = world.workspaces[0]
    assert len(world.users) == 2 and len(world.workspaces) == 3
    assert len(default.campaigns) >= 12
    assert [default.campaigns_by_id[c].name + " Report" for c in SEED_CAMPAIGNS] == [
        "Q1 Outreach Report",
        "Follow-up Campaign Report",
    ]
    assert world.owned_by(world.users[0].id) == world.workspaces[:2]


def _write(tmp_path: Path, mutate: object) -> Path:
    raw = yaml.safe_load(default_fixtures_path().read_text())
    mutate(raw)  # type: ignore[operator]
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda w: w["workspaces"][1].update(apiKey="sk_short"), "workspaces[1] (id 665a1f0c2b3d4e5f6a7b8c02): 'apiKey'"),
        (lambda w: w["users"][0].pop("email"), "users[0] (id 6650c0ffee0000000000a001): 'email' is required"),
        (lambda w: w["workspaces"][0]["campaigns"][3].update(id="xyz"), "workspaces[0].campaigns[3]: 'id' must be a 24-hex id"),
        (lambda w: w["workspaces"][0]["campaigns"][0].update(status="running"), "'status' must be one of"),
        (lambda w: w["workspaces"][2].update(ownerId="6650c0ffee0000000000ffff"), "'ownerId' 6650c0ffee0000000000ffff names no user"),
        (lambda w: w["workspaces"][0]["campaigns"][1].update(mailboxIds=["6651b0a1c2d3e4f5a6b7c811"]), "names no mailbox of this workspace"),
        (lambda w: w["workspaces"][1]["campaigns"][0].update(id="664f0a1b2c3d4e5f6a7b8c01"), "is already used by workspaces[0].campaigns[0]"),
        (lambda w: w["workspaces"][0]["campaigns"][0].update(leads=-1), "'leads' must not be negative"),
    ],
)
def test_a_bad_fixture_names_the_file_the_entry_and_the_problem(tmp_path: Path, mutate: object, expected: str) -> None:
    path = _write(tmp_path, mutate)
    with pytest.raises(FixtureError) as caught:
        load_world(path)
    assert str(caught.value).startswith(str(path))
    assert expected in str(caught.value)


def test_unreadable_and_non_yaml_files_are_fixture_errors(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="cannot read"):
        load_world(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("users: [\n")
    with pytest.raises(FixtureError, match="not valid YAML"):
        load_world(bad)
