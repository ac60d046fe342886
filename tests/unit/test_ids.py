import re
from concurrent.futures import ThreadPoolExecutor

from sendkit_mock.domain.ids import BLOCK, IdFactory
from sendkit_mock.stores.memory import InMemoryCounter


def ids(seed: int | str, namespace: str = "ids") -> IdFactory:
    return IdFactory(seed, namespace, InMemoryCounter())


def test_ids_are_object_ids_that_repeat_for_a_seed() -> None:
    a, b = ids(42), ids(42)
    run = [a.new() for _ in range(50)]
    assert run == [b.new() for _ in range(50)]
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in run)
    assert len(set(run)) == 50


def test_another_seed_or_namespace_gives_other_ids_and_a_restart_starts_over() -> None:
    a = ids(1)
    run = [a.new() for _ in range(5)]
    assert run != [ids(2).new() for _ in range(5)]
    assert run != [ids(1, "other").new() for _ in range(5)]
    a.restore(0)
    assert [a.new() for _ in range(5)] == run


def test_ids_stay_unique_under_threads() -> None:
    factory = ids(3)
    with ThreadPoolExecutor(8) as pool:
        issued = list(pool.map(lambda _: factory.new(), range(4000)))
    assert len(set(issued)) == 4000
    assert sorted(issued) == sorted(ids(3).nth(n) for n in range(1, 4001))


def test_a_count_restores_the_sequence_where_it_was_across_stream_blocks() -> None:
    factory = ids(7, "x")
    issued = [factory.new() for _ in range(BLOCK * 2 + 5)]
    for count in (0, 3, BLOCK, BLOCK + 1, 2 * BLOCK + 4):
        again = ids(7, "x")
        again.restore(count)
        assert again.new() == issued[count] and again.issued == count + 1
    assert len(set(issued)) == len(issued)


def test_two_factories_over_one_counter_hand_out_one_sequence() -> None:
    """What several workers over a shared counter do: together, the ids one process would have given."""
    counter = InMemoryCounter()
    first, second = IdFactory(9, "ids", counter), IdFactory(9, "ids", counter)
    together = [(first if n % 3 else second).new() for n in range(2 * BLOCK + 10)]
    assert together == [ids(9).nth(n) for n in range(1, 2 * BLOCK + 11)]
