"""The embedded store's ceiling: one byte budget for every session's logs, one quota per kind of record."""

from __future__ import annotations

import gc

import pytest

from sendkit_mock.stores.budget import LogBudget, StoreFull
from sendkit_mock.stores.memory import InMemoryLog, InMemoryStores

from .test_store import never, report


def test_past_the_budget_the_oldest_entries_of_any_log_go_first() -> None:
    budget = LogBudget(300)
    first, second = InMemoryLog[str](100, budget, sizer=lambda _: 100), InMemoryLog[str](100, budget, lambda _: 100)
    first.append("a1")
    second.append("b1")
    first.append("a2")
    second.append("b2")  # 400 > 300: a1, the oldest of both, goes
    assert (first.all(), second.all(), budget.used) == (["a2"], ["b1", "b2"], 300)


def test_a_log_gives_back_what_it_held_when_cleared_capped_or_dropped() -> None:
    budget = LogBudget(10_000)
    log = InMemoryLog[str](2, budget, sizer=lambda _: 100)
    for entry in ("a", "b", "c"):
        log.append(entry)
    assert (log.all(), budget.used) == (["b", "c"], 200)  # its own cap gives back what it drops
    log.clear()
    assert budget.used == 0
    log.append("d")
    del log
    gc.collect()
    assert budget.used == 0  # dropped with its session


def test_a_quota_refuses_past_its_limit_across_sessions_and_a_dropped_store_gives_back() -> None:
    stores = InMemoryStores(total_reports=2)
    one, two = stores("one"), stores("two")
    one.reports.add(report(1))
    two.reports.add(report(2))
    with pytest.raises(StoreFull) as refused:
        two.reports.add(report(3))
    assert refused.value.status == 503 and refused.value.headers()["Retry-After"] == "60"
    assert "2 reports across sessions (--max-reports-total)" in refused.value.message
    assert len(two.reports.all()) == 1  # nothing changed
    one.reports.delete(report(1).id)
    two.reports.add(report(3))
    del two, refused  # the refusal's traceback holds the store too
    gc.collect()
    assert stores.quotas["reports"].used == 0


def test_past_the_quota_a_session_makes_room_from_its_own_oldest_finished_report_never_another_sessions() -> None:
    """With the defaults (100,000 per session and across sessions) one session could never reach its own cap
    while another held a report: every create answered 503 from then on (the 30-minute soak: 17% of answers)."""
    stores = InMemoryStores(max_reports=10, total_reports=3)
    one, two = stores("one"), stores("two")
    one.reports.add(report(1))
    for n in range(2, 6):
        assert two.reports.add(report(n), lambda r: True) == ([report(n - 2)] if n >= 4 else [])
    assert [r.id for r in two.reports.all()] == [report(4).id, report(5).id]  # its own oldest went, one for one
    assert [r.id for r in one.reports.all()] == [report(1).id] and stores.quotas["reports"].used == 3
    with pytest.raises(StoreFull):  # nothing of its own it may drop: refused, nothing changed
        two.reports.add(report(6), never)
    assert len(two.reports.all()) == 2 and stores.quotas["reports"].used == 3


def test_a_store_at_its_own_cap_evicts_one_for_one_within_the_quota() -> None:
    stores = InMemoryStores(max_reports=2, total_reports=2)
    session = stores("one")
    for n in range(1, 6):
        session.reports.add(report(n), never)
    assert (len(session.reports.all()), stores.quotas["reports"].used) == (2, 2)
