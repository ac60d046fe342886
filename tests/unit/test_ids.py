import re
from concurrent.futures import ThreadPoolExecutor

from sendkit_mock.domain.ids import IdFactory


def test_ids_are_object_ids_that_repeat_for_a_seed() -> None:
    first = [IdFactory(42).new() for _ in range(1)] + [IdFactory(42).new()]
    a, b = IdFactory(42), IdFactory(42)
    assert [a.new() for _ in range(50)] == [b.new() for _ in range(50)]
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in first)


def test_another_seed_gives_other_ids_and_reset_starts_over() -> None:
    a = IdFactory(1)
    run = [a.new() for _ in range(5)]
    assert run != [IdFactory(2).new() for _ in range(5)]
    a.reset()
    assert [a.new() for _ in range(5)] == run


def test_ids_stay_unique_under_threads() -> None:
    factory = IdFactory(3)
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: factory.new(), range(4000)))
    assert len(set(ids)) == 4000


def test_a_count_restores_the_sequence_where_it_was_across_stream_blocks() -> None:
    from sendkit_mock.domain.ids import BLOCK

    ids = IdFactory(7, "x")
    issued = [ids.new() for _ in range(BLOCK * 2 + 5)]
    for count in (0, 3, BLOCK, BLOCK + 1, 2 * BLOCK + 4):
        again = IdFactory(7, "x")
        again.restore(count)
        assert again.new() == issued[count] and again.issued == count + 1
    assert len(set(issued)) == len(issued)
