from datetime import timedelta

import pytest

from sendkit_mock.domain.lifecycle import Lifecycle

from ..conftest import START


def test_status_follows_the_clock_through_each_boundary() -> None:
    timeline = Lifecycle(queued_seconds=1, processing_seconds=3).plan("a" * 24, START)
    at = lambda s: START + timedelta(seconds=s)  # noqa: E731
    assert [timeline.status(at(s)) for s in (0, 0.999, 1, 3.999, 4, 4000)] == [
        "queued", "queued", "processing", "processing", "ready", "ready",
    ]
    assert timeline.started_at(at(0.5)) is None and timeline.started_at(at(1)) == at(1)
    assert timeline.completed_at(at(3)) is None and timeline.completed_at(at(9)) == at(4)
    assert [timeline.updated_at(at(s)) for s in (0, 2, 9)] == [at(0), at(1), at(4)]


def test_which_reports_fail_repeats_for_a_seed_and_changes_with_it() -> None:
    ids = [f"{i:024x}" for i in range(400)]
    failing = lambda seed: {i for i in ids if Lifecycle(failure_rate=0.3, seed=seed).plan(i, START).outcome == "failed"}  # noqa: E731
    assert failing(7) == failing(7)
    assert failing(7) != failing(8)
    assert 80 < len(failing(7)) < 160  # about 30 % of 400


@pytest.mark.parametrize(("rate", "outcome"), [(0.0, "ready"), (1.0, "failed")])
def test_failure_rate_bounds(rate: float, outcome: str) -> None:
    assert {Lifecycle(failure_rate=rate).plan(f"{i:024x}", START).outcome for i in range(50)} == {outcome}


@pytest.mark.parametrize("kwargs", [{"failure_rate": 1.5}, {"queued_seconds": -1}])
def test_bad_lifecycle_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Lifecycle(**kwargs)
