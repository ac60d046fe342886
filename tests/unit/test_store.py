import dataclasses
from datetime import datetime, timedelta

import pytest

from sendkit_mock.domain.auth import Scope
from sendkit_mock.domain.lifecycle import Lifecycle
from sendkit_mock.domain.periods import resolve_period
from sendkit_mock.domain.reports import Report, Sections
from sendkit_mock.domain.stores import DueQueue, Log, ReportStore, UnknownCursor
from sendkit_mock.stores.memory import InMemoryDueQueue, InMemoryLog, InMemoryReportStore

from ..conftest import START, redis_store_url

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


class Kit:
    """Stores of one kind or the other, for the same tests: the embedded ones, and Redis (a real server)."""

    def __init__(self, redis_url: str | None) -> None:
        self.shared = None
        self.made = 0
        if redis_url is not None:
            from sendkit_mock.stores.redis import RedisStores

            self.shared = RedisStores.connect(redis_url)

    def reports(self, max_reports: int = 100_000) -> ReportStore:
        if self.shared is None:
            return InMemoryReportStore(max_reports)
        self.made += 1  # each store a session of its own
        return dataclasses.replace(self.shared, max_reports=max_reports)(f"s{self.made}").reports

    def log(self, capacity: int) -> Log[int]:
        if self.shared is None:
            return InMemoryLog[int](capacity)
        from sendkit_mock.stores.redis import RedisLog

        return RedisLog[int](self.shared.client, f"{self.shared.prefix}:log:{capacity}", capacity)

    def session(self, max_reports: int = 100_000) -> tuple[ReportStore, DueQueue[tuple[str, datetime]]]:
        """A session's report store with its announcements (on Redis, what a create writes in one call)."""
        if self.shared is None:
            return InMemoryReportStore(max_reports), InMemoryDueQueue()
        self.made += 1
        stores = dataclasses.replace(self.shared, max_reports=max_reports)(f"s{self.made}")
        return stores.reports, stores.announcements

    def queue(self) -> DueQueue[str]:
        if self.shared is None:
            return InMemoryDueQueue[str]()
        return self.shared.queue("q", lambda item: item, str)


@pytest.fixture(params=["memory", "redis"])
def kit(request: pytest.FixtureRequest) -> Kit:
    if request.param == "memory":
        return Kit(None)
    return Kit(redis_store_url(request.getfixturevalue("redis_server")))


def filled(kit: Kit, n: int, **kw: object) -> ReportStore:
    store = kit.reports(**kw)  # type: ignore[arg-type]
    for seq in range(1, n + 1):
        store.add(report(seq, A if seq % 3 else B), evictable=never)
    return store


def test_pages_walk_one_scope_newest_first_without_gaps_or_repeats(kit: Kit) -> None:
    store = filled(kit, 30)
    seen, cursor = [], None
    while True:
        page = store.page(A, cursor=cursor, limit=7)
        seen += [r.seq for r in page.items]
        assert page.total == 20
        if not page.has_more:
            break
        cursor = page.items[-1].id
    assert seen == sorted((s for s in range(1, 31) if s % 3), reverse=True)


def test_a_cursor_from_another_scope_or_a_deleted_report_is_refused(kit: Kit) -> None:
    store = filled(kit, 9)
    with pytest.raises(UnknownCursor):
        store.page(A, cursor=f"{3:024x}", limit=5)  # seq 3 lives in scope B
    store.delete(f"{4:024x}")
    with pytest.raises(UnknownCursor):
        store.page(A, cursor=f"{4:024x}", limit=5)


def test_filters_count_only_what_they_keep(kit: Kit) -> None:
    store = filled(kit, 12)
    page = store.page(A, cursor=None, limit=3, keep=lambda r: r.seq % 2 == 0)
    assert [r.seq for r in page.items] == [10, 8, 4] and page.total == 4 and page.has_more


def test_delete_removes_from_lookups_and_pages(kit: Kit) -> None:
    store = filled(kit, 6)
    assert store.delete(f"{5:024x}") is not None
    assert store.get(f"{5:024x}") is None and store.delete(f"{5:024x}") is None
    assert [r.seq for r in store.page(A, cursor=None, limit=10).items] == [4, 2, 1]


def test_over_the_cap_the_oldest_finished_report_goes_first(kit: Kit) -> None:
    store = kit.reports(max_reports=3)
    finished = {2}
    for seq in (1, 2, 3):
        store.add(report(seq), evictable=lambda r: r.seq in finished)
    evicted = store.add(report(4), evictable=lambda r: r.seq in finished)
    assert [r.seq for r in evicted] == [2] and len(store) == 3
    evicted = store.add(report(5), evictable=never)  # nothing finished: the oldest goes
    assert [r.seq for r in evicted] == [1]


def test_a_facet_pages_its_own_index_and_accepts_any_cursor_of_the_scope(kit: Kit) -> None:
    store = kit.reports()
    for seq in range(1, 11):
        store.add(report(seq, report_type="campaign" if seq % 2 else "workspace"), evictable=never)
    page = store.page(A, cursor=None, limit=2, facet="campaign")
    assert [r.seq for r in page.items] == [9, 7] and page.total == 5 and page.has_more
    after_workspace_report = store.page(A, cursor=f"{6:024x}", limit=10, facet="campaign")
    assert [r.seq for r in after_workspace_report.items] == [5, 3, 1]
    store.delete(f"{7:024x}")
    assert [r.seq for r in store.page(A, cursor=None, limit=10, facet="campaign").items] == [9, 5, 3, 1]
    assert store.page(A, cursor=None, limit=10, facet="organizational").items == []


def test_concurrent_writers_lose_nothing_and_pages_stay_whole(kit: Kit) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = kit.reports(max_reports=10_000)

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


def test_a_log_keeps_the_newest_entries_up_to_its_capacity_and_none_at_zero(kit: Kit) -> None:
    log = kit.log(3)
    for n in range(5):
        log.append(n)
    assert log.all() == [2, 3, 4] and log.capacity == 3
    log.replace_all([7, 8])
    assert log.all() == [7, 8]
    off = kit.log(0)
    off.append(1)
    assert off.all() == [] and off.capacity == 0


def test_a_due_queue_hands_out_what_fell_due_soonest_first_ties_in_arrival_order(kit: Kit) -> None:
    queue = kit.queue()
    for offset, item in ((5, "late"), (1, "first"), (1, "second"), (3, "middle")):
        queue.push(START + timedelta(seconds=offset), item)
    assert [item for _, item in queue.all()] == ["first", "second", "middle", "late"]
    assert queue.pop_due(START) == []
    assert queue.pop_due(START + timedelta(seconds=3)) == ["first", "second", "middle"]
    assert [item for _, item in queue.all()] == ["late"]


def test_new_seqs_continue_after_every_stored_record(kit: Kit) -> None:
    store = filled(kit, 3)
    restored = kit.reports()
    for report in sorted(store.all(), key=lambda r: r.seq):
        restored.add(report, evictable=never)
    assert restored.next_seq() == max(r.seq for r in store.all()) + 1
    restored.clear()
    assert restored.next_seq() == 1


def test_new_reports_are_sequenced_stored_filed_and_announced_in_one_step(kit: Kit) -> None:
    store, announcements = kit.session(max_reports=4)
    store.add(report(7), evictable=never)  # a record already stored: the new ones come after it
    fresh = [dataclasses.replace(report(0, scope), id=f"{n:024x}") for n, scope in enumerate((A, B, A), start=100)]
    made = store.add_new(fresh, lambda r: True, announcements)
    assert [r.seq for r in made] == [8, 9, 10] and [r.id for r in made] == [r.id for r in fresh]
    assert made == [dataclasses.replace(r, seq=s) for r, s in zip(fresh, (8, 9, 10), strict=True)]
    assert [store.get(r.id) for r in made] == made
    assert [r.id for r in store.page(A, cursor=None, limit=10).items] == [made[2].id, made[0].id, report(7).id]
    status = made[0].status(START)
    assert [r.id for r in store.page(B, cursor=None, limit=10, status=status, now=START).items] == [made[1].id]
    finishes = made[0].timeline.finishes
    assert [item for _, item in announcements.all()] == [(r.id, finishes) for r in made]
    more = store.add_new([dataclasses.replace(report(0), id=f"{200:024x}")], lambda r: True, announcements)
    assert more[0].seq == 11 and len(store) == 4 and store.get(report(7).id) is None  # the cap: the oldest went
    assert store.next_seq() == 12


def test_at_the_cap_evicting_the_oldest_keeps_pages_cursors_and_facets_whole(kit: Kit) -> None:
    """Thousands of evictions from the front of each index (which drops them lazily and cuts its lists now
    and then): every page, cursor walk, facet and count matches what is stored."""
    cap, added = (1500, 6000) if kit.shared is None else (300, 1200)  # Redis: what matters is every key agreeing
    store = kit.reports(max_reports=cap)
    for seq in range(1, added + 1):
        store.add(report(seq, A if seq % 3 else B, "campaign" if seq % 2 else "workspace"), evictable=never)
    first = added - cap + 1
    kept = list(range(first, added + 1))
    assert len(store) == cap and store.get(f"{first - 1:024x}") is None and store.get(f"{first:024x}") is not None
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
    store.delete(f"{first + 1:024x}")  # the oldest left in scope A: dropped from the front
    store.delete(f"{first + cap // 3:024x}")  # one in the middle
    assert [r.seq for r in store.page(A, cursor=f"{first + 3:024x}", limit=5).items] == [first]
    assert store.page(A, cursor=None, limit=1, keep=lambda r: r.seq in (first, first + cap // 3)).total == 1
