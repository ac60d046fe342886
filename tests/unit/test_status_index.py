"""The status index of both report stores: a page filtered on a status holds exactly the reports that have that
status at the page's instant, newest first, with the right total, whatever happened since the last page (new
reports, forced statuses, deletes, evictions, a reset, a state import, small steps and large clock jumps)."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta

import pytest

from sendkit_mock.domain.auth import Scope
from sendkit_mock.domain.lifecycle import FAILED, PROCESSING, READY, STATUSES, Timeline
from sendkit_mock.domain.reports import Report, Sections
from sendkit_mock.domain.stores import ReportStore

from ..conftest import START
from .test_store import PERIOD, Kit, kit  # noqa: F401 (the fixture: both stores)

SCOPES = (Scope("workspace", "a" * 24), Scope("workspace", "b" * 24))
TYPES = ("campaign", "workspace")


def made(seq: int, draw: random.Random, created: datetime) -> Report:
    rid = f"{seq:024x}"
    starts = created + timedelta(seconds=draw.choice([0, 1, 5, 30]))
    finishes = starts + timedelta(seconds=draw.choice([0, 3, 20, 600]))
    scope = draw.choice(SCOPES)
    return Report(id=rid, seq=seq, scope=scope, workspace_id=scope.id, user_id="c" * 24, title=f"R{seq}",
                  report_type=draw.choice(TYPES), campaign_ids=(), period=PERIOD, sections=Sections(),
                  recipient_ids=(), timeline=Timeline(created, starts, finishes, draw.choice([READY, FAILED])))


def every_page(store: ReportStore, scope: Scope, status: str, now: datetime, facet: str | None) -> list[str]:
    ids, cursor, total = [], None, None
    while True:
        page = store.page(scope, cursor=cursor, limit=7, facet=facet, status=status, now=now)
        total = page.total if total is None else total
        assert page.total == total  # the total does not move while the clock stands
        ids += [r.id for r in page.items]
        if not page.has_more:
            break
        cursor = page.items[-1].id
    assert len(ids) == total
    return ids


def assert_true_at(store: ReportStore, now: datetime) -> None:
    everything = store.all()
    for scope in SCOPES:
        for facet in (None, *TYPES):
            for status in STATUSES:
                expected = [r.id for r in sorted(everything, key=lambda r: -r.seq) if r.scope == scope
                            and (facet is None or r.report_type == facet) and r.status(now) == status]
                assert every_page(store, scope, status, now, facet) == expected, (scope, facet, status, now)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_report_is_under_exactly_its_status_at_every_instant(kit: Kit, seed: int) -> None:  # noqa: F811
    draw = random.Random(seed)  # a generator of the test's own
    store = kit.reports(max_reports=60)  # a small cap: evictions happen
    now, seq = START, 0
    for step in range(120):
        action = draw.random()
        if action < 0.45:  # new reports
            for _ in range(draw.randint(1, 4)):
                seq += 1
                store.add(made(seq, draw, now), evictable=lambda r, at=now: r.status(at) in (READY, FAILED))
        elif action < 0.55 and store.all():  # a forced status, on one that has not finished
            running = [r for r in store.all() if r.status(now) not in (READY, FAILED)]
            if running:
                target = draw.choice(running)
                status = draw.choice([PROCESSING, READY, FAILED])
                store.replace(dataclasses.replace(target, timeline=target.timeline.forced(status, now)))
        elif action < 0.62 and store.all():  # a delete
            store.delete(draw.choice(store.all()).id)
        elif action < 0.64:  # a reset
            store.clear()
        elif action < 0.67:  # a state import: the same reports written again
            for report in store.all():
                store.add(report, evictable=lambda r: False)
        elif action < 0.95:  # the clock: small steps
            now += timedelta(seconds=draw.choice([0, 0.5, 1, 2, 4]))
        else:  # and large jumps
            now += timedelta(hours=draw.choice([1, 24 * 365]))
        if step % 3 == 0 or action >= 0.95:
            assert_true_at(store, now)
    assert_true_at(store, now)


def test_a_clock_jump_past_many_transitions_moves_each_report_once(kit: Kit) -> None:  # noqa: F811
    draw = random.Random(7)
    store = kit.reports()
    for seq in range(1, 3_001):
        store.add(made(seq, draw, START + timedelta(milliseconds=seq)), evictable=lambda r: False)
    scope = SCOPES[0]
    assert store.page(scope, cursor=None, limit=5, status="processing", now=START).total == 0
    later = START + timedelta(days=1)
    ready = store.page(scope, cursor=None, limit=5, status=READY, now=later).total
    failed = store.page(scope, cursor=None, limit=5, status=FAILED, now=later).total
    assert ready + failed == sum(1 for r in store.all() if r.scope == scope) and ready > 0 and failed > 0
    assert store.page(scope, cursor=None, limit=5, status="queued", now=later).total == 0


def test_after_a_jump_past_many_moves_the_reports_still_to_move_do(kit: Kit) -> None:  # noqa: F811
    """A jump past most of 2,000 reports' moves (which the embedded store takes in one pass), then small steps
    through the rest: every report still moves when its instant comes."""
    draw = random.Random(11)
    store = kit.reports()
    for seq in range(1, 2_001):
        store.add(made(seq, draw, START + timedelta(milliseconds=300 * seq)), evictable=lambda r: False)
    now = START + timedelta(seconds=400)  # about two thirds created and moved on since START
    assert_true_at(store, now)
    for _ in range(8):
        now += timedelta(seconds=150)
        assert_true_at(store, now)
    assert all(r.status(now) in (READY, FAILED) for r in store.all())


def test_a_cursor_whose_report_moved_on_since_its_page_still_pages(kit: Kit) -> None:  # noqa: F811
    """A client pages `?status=processing`; before its next page the report its cursor names is ready: the next
    page goes on after that report, it is no unknown cursor."""
    store = kit.reports()
    scope = SCOPES[0]
    for seq in range(1, 6):  # all start at once; the newest finishes first
        report = made(seq, random.Random(seq), START)
        timeline = Timeline(START, START, START + timedelta(seconds=60 - seq), READY)
        store.add(dataclasses.replace(report, scope=scope, workspace_id=scope.id, timeline=timeline),
                  evictable=lambda r: False)
    first = store.page(scope, cursor=None, limit=2, status=PROCESSING, now=START + timedelta(seconds=1))
    assert [r.seq for r in first.items] == [5, 4] and first.has_more
    later = START + timedelta(seconds=56.5)  # 5 and 4 (the cursor's) are ready now, 3, 2 and 1 still processing
    rest = store.page(scope, cursor=first.items[-1].id, limit=5, status=PROCESSING, now=later)
    assert [r.seq for r in rest.items] == [3, 2, 1] and not rest.has_more


def test_a_held_report_stays_processing_until_it_is_forced_on(kit: Kit) -> None:  # noqa: F811
    draw = random.Random(3)
    store = kit.reports()
    report = made(1, draw, START)
    store.add(report, evictable=lambda r: False)
    held = dataclasses.replace(report, timeline=report.timeline.forced(PROCESSING, START))
    store.replace(held)
    far = START + timedelta(days=3650)
    assert [r.id for r in store.page(report.scope, cursor=None, limit=5, status=PROCESSING, now=far).items] \
        == [report.id]
    store.replace(dataclasses.replace(held, timeline=held.timeline.forced(READY, far)))
    assert [r.id for r in store.page(report.scope, cursor=None, limit=5, status=READY, now=far).items] == [report.id]
    assert store.page(report.scope, cursor=None, limit=5, status=PROCESSING, now=far).total == 0
