from datetime import timedelta

import pytest

from sendkit_mock.domain.auth import Scope
from sendkit_mock.domain.lifecycle import Lifecycle
from sendkit_mock.domain.periods import resolve_period
from sendkit_mock.domain.reports import Report, Sections
from sendkit_mock.domain.stores import UnknownCursor
from sendkit_mock.store import InMemoryDueQueue, InMemoryLog, InMemoryReportStore

from ..conftest import START

A, B = Scope("workspace", "a" * 24), Scope("workspace", "b" * 24)
PERIOD = resolve_period(None, None, START.date())


def report(seq: int, scope: Scope = A, report_type: str = "workspace") -> Report:
    rid = f"{seq:024x}"
    return Report(
        id=rid, seq=seq, scope=scope, workspace_id=scope.id, user_id="c" * 24, title=f"R{seq}",
        report_type=report_type, campaign_ids=(), period=PERIOD, sections=Sections(), recipient_ids=(),
        timeline=Lifecycle().plan(rid, START + timedelta(seconds=seq)),
    )


def never(_: Report) -> bool:
    return False


def filled(n: int, **kw: object) -> InMemoryReportStore:
    store = InMemoryReportStore(**kw)  # type: ignore[arg-type]
    for seq in range(1, n + 1):
        store.add(report(seq, A if seq % 3 else B), evictable=never)
    return store


def test_pages_walk_one_scope_newest_first_without_gaps_or_repeats() -> None:
    store = filled(30)
    seen, cursor = [], None
    while True:
        page = store.page(A, cursor=cursor, limit=7)
        seen += [r.seq for r in page.items]
        assert page.total == 20
        if not page.has_more:
            break
        cursor = page.items[-1].id
    assert seen == sorted((s for s in range(1, 31) if s % 3), reverse=True)


def test_a_cursor_from_another_scope_or_a_deleted_report_is_refused() -> None:
    store = filled(9)
    with pytest.raises(UnknownCursor):
        store.page(A, cursor=f"{3:024x}", limit=5)  # seq 3 lives in scope B
    store.delete(f"{4:024x}")
    with pytest.raises(UnknownCursor):
        store.page(A, cursor=f"{4:024x}", limit=5)


def test_filters_count_only_what_they_keep() -> None:
    store = filled(12)
    page = store.page(A, cursor=None, limit=3, keep=lambda r: r.seq % 2 == 0)
    assert [r.seq for r in page.items] == [10, 8, 4] and page.total == 4 and page.has_more


def test_delete_removes_from_lookups_and_pages() -> None:
    store = filled(6)
    assert store.delete(f"{5:024x}") is not None
    assert store.get(f"{5:024x}") is None and store.delete(f"{5:024x}") is None
    assert [r.seq for r in store.page(A, cursor=None, limit=10).items] == [4, 2, 1]


def test_over_the_cap_the_oldest_finished_report_goes_first() -> None:
    store = InMemoryReportStore(max_reports=3)
    finished = {2}
    for seq in (1, 2, 3):
        store.add(report(seq), evictable=lambda r: r.seq in finished)
    evicted = store.add(report(4), evictable=lambda r: r.seq in finished)
    assert [r.seq for r in evicted] == [2] and len(store) == 3
    evicted = store.add(report(5), evictable=never)  # nothing finished: the oldest goes
    assert [r.seq for r in evicted] == [1]


def test_a_facet_pages_its_own_index_and_accepts_any_cursor_of_the_scope() -> None:
    store = InMemoryReportStore()
    for seq in range(1, 11):
        store.add(report(seq, report_type="campaign" if seq % 2 else "workspace"), evictable=never)
    page = store.page(A, cursor=None, limit=2, facet="campaign")
    assert [r.seq for r in page.items] == [9, 7] and page.total == 5 and page.has_more
    after_workspace_report = store.page(A, cursor=f"{6:024x}", limit=10, facet="campaign")
    assert [r.seq for r in after_workspace_report.items] == [5, 3, 1]
    store.delete(f"{7:024x}")
    assert [r.seq for r in store.page(A, cursor=None, limit=10, facet="campaign").items] == [9, 5, 3, 1]
    assert store.page(A, cursor=None, limit=10, facet="organizational").items == []


def test_concurrent_writers_lose_nothing_and_pages_stay_whole() -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = InMemoryReportStore(max_reports=10_000)

    def write(worker: int) -> None:
        for n in range(500):
            seq = worker * 1000 + n + 1
            store.add(report(seq, A if n % 2 else B), evictable=never)
            if n % 5 == 0:
                store.delete(f"{seq:024x}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    assert len(store) == 8 * 400
    walked, cursor = 0, None
    while True:
        page = store.page(A, cursor=cursor, limit=100)
        walked += len(page.items)
        if not page.has_more:
            break
        cursor = page.items[-1].id
    assert walked == page.total == 8 * 200


def test_a_log_keeps_the_newest_entries_up_to_its_capacity_and_none_at_zero() -> None:
    log = InMemoryLog[int](3)
    for n in range(5):
        log.append(n)
    assert log.all() == [2, 3, 4] and log.capacity == 3
    log.replace_all([7, 8])
    assert log.all() == [7, 8]
    off = InMemoryLog[int](0)
    off.append(1)
    assert off.all() == [] and off.capacity == 0


def test_a_due_queue_hands_out_what_fell_due_soonest_first_ties_in_arrival_order() -> None:
    queue = InMemoryDueQueue[str]()
    for offset, item in ((5, "late"), (1, "first"), (1, "second"), (3, "middle")):
        queue.push(START + timedelta(seconds=offset), item)
    assert [item for _, item in queue.all()] == ["first", "second", "middle", "late"]
    assert queue.pop_due(START) == []
    assert queue.pop_due(START + timedelta(seconds=3)) == ["first", "second", "middle"]
    assert [item for _, item in queue.all()] == ["late"]


def test_new_seqs_continue_after_every_stored_record() -> None:
    store = filled(3)
    restored = InMemoryReportStore()
    for report in sorted(store.all(), key=lambda r: r.seq):
        restored.add(report, evictable=never)
    assert restored.next_seq() == max(r.seq for r in store.all()) + 1
    restored.clear()
    assert restored.next_seq() == 1


def test_at_the_cap_evicting_the_oldest_keeps_pages_cursors_and_facets_whole() -> None:
    """Thousands of evictions from the front of each index (which drops them lazily and cuts its lists now
    and then): every page, cursor walk, facet and count matches what is stored."""
    store = InMemoryReportStore(max_reports=1500)
    for seq in range(1, 6001):
        store.add(report(seq, A if seq % 3 else B, "campaign" if seq % 2 else "workspace"), evictable=never)
    kept = list(range(4501, 6001))
    assert len(store) == 1500 and store.get(f"{4500:024x}") is None and store.get(f"{4501:024x}") is not None
    for scope, facet in ((A, None), (B, None), (A, "campaign"), (B, "workspace")):
        want = [s for s in reversed(kept) if (scope == A) == bool(s % 3)
                and (facet is None or (facet == "campaign") == bool(s % 2))]
        seen, cursor = [], None
        while True:
            page = store.page(scope, cursor=cursor, limit=97, facet=facet)
            assert page.total == len(want)
            seen += [r.seq for r in page.items]
            if not page.has_more:
                break
            cursor = page.items[-1].id
        assert seen == want
    assert [r.seq for r in store.in_scope(B)][:2] == [s for s in kept if s % 3 == 0][:2]
    store.delete(f"{4502:024x}")  # the oldest left in scope A: dropped from the front
    store.delete(f"{5000:024x}")  # one in the middle
    assert [r.seq for r in store.page(A, cursor=f"{4504:024x}", limit=5).items] == [4501]
    assert store.page(A, cursor=None, limit=1, keep=lambda r: r.seq in (4501, 5000)).total == 1
