from sendkit_mock.simulation.behaviour import Behaviour, Latency, Simulator

from ..conftest import START


def test_latency_draws_repeat_for_the_seed_and_stay_in_their_range() -> None:
    behaviour = Behaviour(latency=Latency.parse("uniform:50-400"))
    first = [Simulator(behaviour, 7).judge(None, START).delay_ms]
    one, two = Simulator(behaviour, 7), Simulator(behaviour, 7)
    runs = [[s.judge(None, START).delay_ms for _ in range(200)] for s in (one, two)]
    assert runs[0] == runs[1] and runs[0][:1] == first
    assert all(50 <= d <= 400 for d in runs[0]) and len(set(runs[0])) > 50
    assert [Simulator(behaviour, 8).judge(None, START).delay_ms for _ in range(5)] != runs[0][:5]


def test_a_lognormal_latency_centres_on_its_median_and_a_fixed_one_is_fixed() -> None:
    sim = Simulator(Behaviour(latency=Latency.parse("lognormal:median=120,sigma=0.5")), 1)
    draws = sorted(sim.judge(None, START).delay_ms for _ in range(1001))
    assert 105 <= draws[500] <= 135
    fixed = Simulator(Behaviour(latency=Latency.parse("150")), 1)
    assert {fixed.judge(None, START).delay_ms for _ in range(10)} == {150}


def test_a_reversed_uniform_range_is_refused_with_the_range_it_probably_meant() -> None:
    import random

    import pytest

    from sendkit_mock.simulation.behaviour import BehaviourError

    with pytest.raises(BehaviourError, match=r"LOW <= HIGH \(uniform:50-400\?\)"):
        Latency.parse("uniform:400-50")
    assert Latency.parse("uniform:80-80").sample(random.Random(1)) == 80
